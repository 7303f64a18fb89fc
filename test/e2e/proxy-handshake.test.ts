import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CreateMessageRequestSchema, ElicitRequestSchema, ErrorCode, ListRootsRequestSchema, McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureServer, FULL_PROFILE, manifestDigest, runStdioProxy } from '../../src/index.js';
import { fixture, memoryAudit } from './guard.helpers.js';
import { CLI, connectProxy, identityFlags, startSigningBench, type SigningBench } from './proxy.helpers.js';

// asks-client.mjs asks the client roots/list, sampling and elicitation *before* it answers
// tools/list, and reports the answers in its tool descriptions: the guard reads tools/list
// during its handshake, so holding those requests until the client is in would deadlock.
const ASKS = fixture('asks-client.mjs');

let bench: SigningBench;
let bareBundle: string;
let fullBundle: string;
beforeAll(async () => {
  bench = await startSigningBench();
  const sign = async (file: string, manifest: Awaited<ReturnType<typeof captureServer>>): Promise<string> => {
    const path = join(bench.dir, file);
    await writeFile(path, JSON.stringify((await bench.sign(manifest)).bundle));
    return path;
  };
  bareBundle = await sign('asks-bare.json', await captureServer(ASKS));
  fullBundle = await sign('asks-full.json', await captureServer(ASKS, { profile: FULL_PROFILE }));
}, 60_000);
afterAll(async () => { await bench?.sigstore.close(); });

describe('server-to-client requests during the guard\'s handshake go through the proxy', () => {
  it('a bare SDK client: the server\'s three requests reach it and are answered (-32601), the session opens', async () => {
    const p = await connectProxy(['--bundle', bareBundle, ...identityFlags(bench), '--timeout', '20000'], ASKS);
    try {
      const { tools } = await p.client.listTools();
      expect(tools.map((t) => [t.name, t.description])).toEqual([
        ['roots', '{"error":-32601}'], ['sampling', '{"error":-32601}'], ['elicitation', '{"error":-32601}'],
      ]);
    } finally {
      await p.client.close();
    }
    expect(await p.exited).toBe(0);
  });

  it('a client that declares roots, sampling and elicitation answers them itself; the manifest captured with the full profile matches', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath, args: [CLI, 'proxy', '--bundle', fullBundle, ...identityFlags(bench), '--', ASKS.command, ...ASKS.args!], stderr: 'pipe',
    });
    const client = new Client({ name: 'full-client', version: '1.0.0' }, { capabilities: structuredClone(FULL_PROFILE.capabilities) as Record<string, never> });
    const asked: string[] = [];
    client.setRequestHandler(ListRootsRequestSchema, () => { asked.push('roots'); return { roots: [] }; });
    client.setRequestHandler(ElicitRequestSchema, () => { asked.push('elicitation'); return { action: 'decline' as const }; });
    client.setRequestHandler(CreateMessageRequestSchema, () => {
      asked.push('sampling');
      throw new McpError(ErrorCode.InvalidRequest, 'no sampling here');
    });
    await client.connect(transport);
    try {
      // Asked during the handshake (the guard's own read), before connect() resolved.
      expect(asked).toEqual(['roots', 'sampling', 'elicitation']);
      const { tools } = await client.listTools();
      expect(tools.find((t) => t.name === 'roots')?.description).toBe('{"roots":[]}');
    } finally {
      await client.close();
    }
  });

  it('a client that never answers: the guard answers the server after a quarter of --timeout each, so the handshake ends instead of hanging', async () => {
    const manifest = await captureServer(ASKS);
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const audit = memoryAudit();
    const ended = runStdioProxy({
      upstream: ASKS, attestation: { manifest, digest: manifestDigest(manifest) }, stdin, stdout, stderr: 'ignore', audit,
      settings: { enforce: 'filter' }, limits: { requestTimeoutMs: 4000 },
    });
    const received: Array<Record<string, unknown>> = [];
    createInterface({ input: stdout }).on('line', (line) => received.push(JSON.parse(line) as Record<string, unknown>));
    stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mute', version: '1' } } })}\n`);
    const started = Date.now();
    while (!received.some((m) => m.id === 1)) {
      expect(Date.now() - started, 'the initialize answer').toBeLessThan(15_000);
      await new Promise((r) => setTimeout(r, 20));
    }
    // The server's three requests reached the client, which said nothing.
    expect(received.filter((m) => typeof m.method === 'string').map((m) => m.method)).toEqual(['roots/list', 'sampling/createMessage', 'elicitation/create']);
    // The guard answered them (-32001) after the bound: the descriptions differ from the signed ones, so filter hides them.
    expect(received.find((m) => m.id === 1)).toHaveProperty('result');
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 1000 - 50);
    const hidden = audit.records.filter((r) => r.event === 'entry' && r.decision === 'hide').map((r) => r.entry);
    expect(hidden.sort()).toEqual(['tools/elicitation', 'tools/roots', 'tools/sampling']);
    // A late answer from the client is dropped, not sent to a server that already has one.
    stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: received.find((m) => m.method === 'roots/list')!.id, result: { roots: [] } })}\n`);
    stdin.end();
    expect((await ended).reason).toBe('client');
  });
});
