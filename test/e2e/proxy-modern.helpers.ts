import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { join } from 'node:path';
import { CLI } from './proxy.helpers.js';
import { FIXTURES } from './capture-helpers.js';

/** How a v2 client negotiates: pinned to 2026-07-28, auto (probe, fall back), or the 2025 handshake. */
export type ClientEra = 'modern' | 'auto' | 'legacy';

const MODES = { modern: { pin: '2026-07-28' }, auto: 'auto', legacy: 'legacy' } as const;

/** A v2 SDK client in one era. */
export function v2Client(era: ClientEra, name = 'proxy-modern-test'): Client {
  return new Client({ name, version: '1.0.0' }, { capabilities: {}, versionNegotiation: { mode: MODES[era] } });
}

/** The stdio command line of `toolseal proxy ARGS -- node FIXTURE`. */
export function proxyCommand(args: string[], script: string): { command: string; args: string[] } {
  return { command: process.execPath, args: [CLI, 'proxy', ...args, '--', process.execPath, join(FIXTURES, script)] };
}

/** A v2 client connected to `toolseal proxy` over stdio (the SDK's own stdio transport: auto probes a sibling). */
export async function connectStdio(era: ClientEra, args: string[], script: string, env: Record<string, string> = {}): Promise<{ client: Client; transport: StdioClientTransport; stderr: () => string }> {
  const { command, args: argv } = proxyCommand(args, script);
  const transport = new StdioClientTransport({ command, args: argv, env: { ...stringEnv(), ...env }, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const client = v2Client(era);
  try {
    await client.connect(transport);
  } catch (err) {
    throw Object.assign(err as Error, { stderr });
  }
  return { client, transport, stderr: () => stderr };
}

/** A v2 client connected over Streamable HTTP. */
export async function connectHttp(era: ClientEra, url: string): Promise<Client> {
  const client = v2Client(era);
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

export function stringEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}
