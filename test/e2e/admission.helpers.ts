import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { readFile } from 'node:fs/promises';
import { parseJsonc } from '../../src/admission/index.js';

/** The process env as strings (what a client passes on to the servers it starts). */
export function stringEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries({ ...process.env, ...extra }).filter((e): e is [string, string] => e[1] !== undefined));
}

/** One server entry of a JSON/JSONC client configuration, as the client reads it. */
export async function configEntry(path: string, key: string, name: string): Promise<{ command: string; args: string[]; env?: Record<string, string> }> {
  const doc = parseJsonc(await readFile(path, 'utf8'), path) as Record<string, Record<string, { command: string; args: string[]; env?: Record<string, string> }>>;
  return doc[key]![name]!;
}

/**
 * Starts a server entry the way VS Code does for a workspace file (command and args as written, the
 * client's environment plus the entry's `env`, in the workspace folder) and connects a real SDK client.
 */
export async function connectEntry(entry: { command: string; args: string[]; env?: Record<string, string> }, cwd?: string): Promise<{ client: Client; stderr: () => string; close: () => Promise<void> }> {
  const transport = new StdioClientTransport({ command: entry.command, args: entry.args, env: { ...stringEnv(), ...entry.env }, stderr: 'pipe', ...(cwd ? { cwd } : {}) });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const client = new Client({ name: 'admission-test', version: '1.0.0' }, { capabilities: {} });
  const close = async (): Promise<void> => { await client.close().catch(() => undefined); };
  try {
    await client.connect(transport, { timeout: 30_000 });
  } catch (err) {
    await close();
    Object.assign(err as object, { stderr });
    throw err;
  }
  return { client, stderr: () => stderr, close };
}
