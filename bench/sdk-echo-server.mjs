#!/usr/bin/env node
// The server of proxy.bench.ts's per-call rows: a plain MCP SDK v1 server over stdio (the SDK
// most servers in the field run, 2025 era), with one tool `echo` that returns its text.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'bench-echo', version: '1.0.0' });
server.registerTool('echo', {
  description: 'Echoes the text it is given.',
  inputSchema: { text: z.string().describe('Text to echo.') },
  annotations: { readOnlyHint: true },
}, async ({ text }) => ({ content: [{ type: 'text', text }] }));
await server.connect(new StdioServerTransport());
