import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client as Client104 } from 'sdk-1-0-4/client/index.js';
import { StdioClientTransport as StdioClientTransport104 } from 'sdk-1-0-4/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../src/manifest/capture/process.js';
import { FIXTURES, fixture } from './guard.helpers.js';
import { CLI, identityFlags, signTarget, startSigningBench, type SigningBench } from './proxy.helpers.js';

// The server: launcher.mjs (a wrapper like npx) running paginated.mjs as a grandchild; with
// FIXTURE_STUBBORN=1 both ignore SIGTERM and the grandchild ignores stdin EOF. Each run gets a
// unique marker argument, so the process table can be searched for anything left of it.

let bench: SigningBench;
let bundle: string;
let otherBundle: string;
beforeAll(async () => {
  bench = await startSigningBench();
  bundle = (await signTarget(bench, fixture('paginated.mjs'), 'paginated.sigstore.json')).path;
  otherBundle = (await signTarget(bench, fixture('guard-probe.mjs'), 'probe.sigstore.json')).path;
}, 60_000);
afterAll(async () => { await bench?.sigstore.close(); });

interface Server { args: string[]; env: Record<string, string>; marker: string; grandchild: () => number | undefined }

function stubbornServer(): Server {
  const marker = `lifecycle-${randomUUID()}`;
  const pidFile = join(mkdtempSync(join(tmpdir(), 'toolseal-lifecycle-')), 'pid');
  return {
    args: [process.execPath, join(FIXTURES, 'launcher.mjs'), join(FIXTURES, 'paginated.mjs'), marker],
    env: { ...stringEnv(), FIXTURE_STUBBORN: '1', FIXTURE_PID_FILE: pidFile },
    marker,
    grandchild: () => { try { return Number(readFileSync(pidFile, 'utf8')); } catch { return undefined; } },
  };
}

/** Live (not zombie) processes whose command line holds `marker`, from /proc. */
function survivors(marker: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker) && processAlive(Number(entry))) out.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

async function waitFor(what: string, ms: number, done: () => boolean): Promise<number> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

const proxyArgs = (b = bundle): string[] => [CLI, 'proxy', '--bundle', b, ...identityFlags(bench)];

/** The proxy spawned directly, with a raw line client on its stdio. */
function rawProxy(server: Server, b = bundle): { child: ChildProcess; lines: Array<Record<string, unknown>>; stderr: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [...proxyArgs(b), '--', ...server.args], { env: server.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, lines, stderr: () => stderr, exited };
}

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

describe('the stdio proxy leaves nothing behind', () => {
  it('the SDK client\'s real close() (stdin end): the proxy exits by itself, before the SDK\'s SIGTERM, with no server or grandchild left', async () => {
    const server = stubbornServer();
    const transport = new StdioClientTransport({ command: process.execPath, args: [...proxyArgs(), '--', ...server.args], env: server.env, stderr: 'pipe' });
    const client = new Client({ name: 'v1', version: '1' }, { capabilities: {} });
    await client.connect(transport);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const proxy = (transport as unknown as { _process: ChildProcess })._process;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proxy.once('exit', (code, signal) => resolve({ code, signal })));
    expect(survivors(server.marker)).toHaveLength(3); // the proxy (the marker is in its arguments too), the launcher, the grandchild
    const start = Date.now();
    await client.close();
    // Exit code 0 with no signal: the SDK's SIGTERM (2 s after stdin end) was not needed.
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - start).toBeLessThan(2000);
    expect(survivors(server.marker)).toEqual([]);
    expect(processAlive(server.grandchild()!)).toBe(false);
  });

  it('SDK 1.0.4\'s close() (SIGTERM only, stdin left open): the proxy ends within 3 s, and the server with it', async () => {
    const server = stubbornServer();
    const transport = new StdioClientTransport104({ command: process.execPath, args: [...proxyArgs(), '--', ...server.args], env: server.env, stderr: 'pipe' });
    const client = new Client104({ name: 'v104', version: '1' }, { capabilities: {} });
    await client.connect(transport);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const proxyPid = (transport as unknown as { _process: ChildProcess })._process.pid!;
    await client.close();
    const took = await waitFor('the proxy to exit', 10_000, () => !processAlive(proxyPid));
    expect(took).toBeLessThan(3000);
    await waitFor('the server group to be gone', 2000, () => survivors(server.marker).length === 0);
  });

  it('SIGTERM while the client keeps stdin open: exit 0 within 3 s, server group gone', async () => {
    const server = stubbornServer();
    const p = rawProxy(server);
    p.child.stdin!.write(`${JSON.stringify(INITIALIZE)}\n`);
    await waitFor('the initialize answer', 15_000, () => p.lines.some((m) => m.id === 1));
    const start = Date.now();
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - start).toBeLessThan(3000);
    expect(survivors(server.marker)).toEqual([]);
  });

  it('SIGKILL of the proxy: its watchdog ends the server group', async () => {
    const server = stubbornServer();
    const p = rawProxy(server);
    p.child.stdin!.write(`${JSON.stringify(INITIALIZE)}\n`);
    await waitFor('the initialize answer', 15_000, () => p.lines.some((m) => m.id === 1));
    expect(survivors(server.marker)).toHaveLength(3); // the proxy (the marker is in its arguments too), the launcher, the grandchild
    p.child.kill('SIGKILL');
    expect((await p.exited).signal).toBe('SIGKILL');
    // The watchdog sends SIGTERM at once and SIGKILL a second later.
    await waitFor('the orphaned server group to be ended', 5000, () => survivors(server.marker).length === 0);
  });

  it('a refusal (manifest of another server, enforce block): exit 1, server group already gone', async () => {
    const server = stubbornServer();
    const p = rawProxy(server, otherBundle);
    p.child.stdin!.write(`${JSON.stringify(INITIALIZE)}\n`);
    expect((await p.exited).code).toBe(1);
    expect(p.lines.find((m) => m.id === 1)).toHaveProperty('error');
    expect(survivors(server.marker)).toEqual([]);
  });

  it('EPIPE on stdout (the client closed its end): the proxy ends cleanly, no crash, server group gone', async () => {
    const server = stubbornServer();
    const p = rawProxy(server);
    p.child.stdin!.write(`${JSON.stringify(INITIALIZE)}\n`);
    await waitFor('the initialize answer', 15_000, () => p.lines.some((m) => m.id === 1));
    p.child.stdout!.destroy();
    for (let id = 2; id < 6; id++) p.child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' })}\n`);
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.stderr()).not.toMatch(/EPIPE|\n\s+at /);
    expect(survivors(server.marker)).toEqual([]);
  });

  it('a client line over the message limit: the proxy says why, exits 2, no stack trace, server group gone', async () => {
    const server = stubbornServer();
    const p = rawProxy(server);
    p.child.stdin!.write(`${JSON.stringify(INITIALIZE)}\n`);
    await waitFor('the initialize answer', 15_000, () => p.lines.some((m) => m.id === 1));
    // 18 MiB in one line: over the default 16 MiB list limit plus 1 MiB. The proxy stops reading
    // partway, so the rest of the write meets a closed pipe.
    p.child.stdin!.on('error', () => undefined);
    p.child.stdin!.write(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add_note","arguments":{"text":"${'x'.repeat(18 * 1024 * 1024)}"}}}\n`);
    expect((await p.exited).code).toBe(2);
    expect(p.stderr()).toMatch(/the client sent what the proxy cannot take: The MCP client sent a message longer than \d+ bytes; toolseal ended the session\./);
    expect(p.stderr()).not.toMatch(/\n\s+at /);
    await waitFor('the server group to be gone', 5000, () => survivors(server.marker).length === 0);
  });

  it('a server that dies before initialize is named by its command', async () => {
    const p = rawProxy({ args: [process.execPath, '-e', 'process.exit(3)'], env: stringEnv(), marker: 'none', grandchild: () => undefined });
    p.child.stdin!.write(`${JSON.stringify(INITIALIZE)}\n`);
    expect((await p.exited).code).toBe(2);
    expect(p.stderr()).toContain(`The server "${process.execPath} -e process.exit(3)" closed the connection.`);
    expect(p.stderr()).not.toMatch(/\bupstream\b/);
  });
});

function stringEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}
