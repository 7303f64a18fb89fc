import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEverythingHttp, type RunningServer } from './capture-servers.helpers.js';
import { alive, EVERYTHING_BIN, fixture, until } from './guard.helpers.js';
import { CLI, identityFlags, signTarget, startSigningBench, type SigningBench } from './proxy.helpers.js';

let bench: SigningBench;
let everythingHttp: RunningServer;
let httpBundle: string;
let stdioBundle: string;
let rugBundle: string;
const RUG_PULL = { FIXTURE_CHANGE: 'after-calls', FIXTURE_CALLS: '3' };

beforeAll(async () => {
  [bench, everythingHttp] = await Promise.all([startSigningBench(), startEverythingHttp()]);
  [httpBundle, stdioBundle, rugBundle] = (await Promise.all([
    signTarget(bench, { kind: 'http', url: everythingHttp.url }, 'everything-http.sigstore.json'),
    signTarget(bench, { kind: 'stdio', command: EVERYTHING_BIN, args: ['stdio'] }, 'everything-stdio.sigstore.json'),
    signTarget(bench, fixture('list-changed.mjs', RUG_PULL), 'rug.sigstore.json'),
  ])).map((s) => s.path) as [string, string, string];
}, 60_000);

afterAll(async () => {
  await Promise.all([bench?.sigstore.close(), everythingHttp?.stop()]);
});

/** Starts `toolseal proxy --listen 127.0.0.1:0 ...` and resolves with the URL it prints. */
async function startProxy(args: string[], env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'proxy', '--listen', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stderr! });
    rl.on('line', (line) => {
      stderr += `${line}\n`;
      const m = /listening on (\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the proxy exited with ${code}: ${stderr}`)));
  });
  child.stdout!.on('data', (chunk: Buffer) => { throw new Error(`the HTTP proxy wrote to stdout: ${chunk.toString()}`); });
  return { url, child, stderr: () => stderr };
}

async function httpClient(url: string): Promise<Client> {
  const client = new Client({ name: 'proxy-http-test', version: '1.0.0' }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('toolseal proxy over Streamable HTTP', () => {
  it('HTTP to HTTP: two client sessions side by side; lists, calls and progress pass', async () => {
    const proxy = await startProxy(['--bundle', httpBundle, ...identityFlags(bench), '--upstream', everythingHttp.url]);
    try {
      const [a, b] = await Promise.all([httpClient(proxy.url), httpClient(proxy.url)]);
      expect((await a.listTools()).tools).toHaveLength(13);
      const echo = await b.callTool({ name: 'echo', arguments: { message: 'over http' } });
      expect(JSON.stringify(echo.content)).toContain('over http');
      const progress: number[] = [];
      await a.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } }, undefined, { onprogress: (n) => void progress.push(n.progress) });
      expect(progress).toEqual([1, 2, 3]);
      await Promise.all([a.close(), b.close()]);
    } finally {
      expect(await stop(proxy.child)).toBe(0);
    }
  });

  it('HTTP to stdio: one spawned server per session, ended with the proxy', async () => {
    const proxy = await startProxy(['--bundle', stdioBundle, ...identityFlags(bench), '--', EVERYTHING_BIN, 'stdio']);
    const client = await httpClient(proxy.url);
    expect((await client.listTools()).tools).toHaveLength(13);
    const pid = Number(/started the server \(pid (\d+)\)/.exec(proxy.stderr())![1]);
    expect(alive(pid)).toBe(true);
    await client.close();
    expect(await stop(proxy.child)).toBe(0);
    await until(() => !alive(pid), 5000, `server pid ${pid} to end`);
  });

  it('filter over HTTP: the rug-pulled tool is hidden and refused for that session', async () => {
    const proxy = await startProxy(['--bundle', rugBundle, ...identityFlags(bench), '--enforce', 'filter', '--', process.execPath, fixture('list-changed.mjs').args![0]!], RUG_PULL);
    try {
      const client = await httpClient(proxy.url);
      for (let i = 0; i < 3; i++) await client.callTool({ name: 'get_weather', arguments: {} });
      await until(async () => (await client.listTools()).tools.length === 1, 5000, 'the rug-pulled tool to be hidden');
      await expect(client.callTool({ name: 'get_weather', arguments: {} })).rejects.toMatchObject({ code: -31051 });
      await client.close();
    } finally {
      await stop(proxy.child);
    }
  });
});
