import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, fixture, until } from './guard.helpers.js';
import { CLI, identityFlags, signTarget, startSigningBench, type SigningBench } from './proxy.helpers.js';
import { connectHttp, modernPost, startListening } from './proxy-modern.helpers.js';

let bench: SigningBench;
let eraBundle: string;

beforeAll(async () => {
  bench = await startSigningBench();
  eraBundle = (await signTarget(bench, fixture('dual-era.mjs'), 'era.sigstore.json')).path;
}, 60_000);

afterAll(async () => {
  await bench?.sigstore.close();
});

const flags = (...extra: string[]): string[] => ['--bundle', eraBundle, ...identityFlags(bench), ...extra];
const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
const JSON_POST = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('toolseal proxy --listen refuses before it spawns, caps and ends what it spawned', () => {
  it('a page from another Origin gets 403, a text/plain or JSON-only POST 415/406, malformed JSON 400: no server is ever spawned', async () => {
    const proxy = await startListening(flags(), 'dual-era.mjs');
    try {
      const evil = await fetch(proxy.url, { method: 'POST', headers: { ...JSON_POST, origin: 'https://evil.example' }, body: INITIALIZE });
      expect(evil.status).toBe(403);
      const plain = await fetch(proxy.url, { method: 'POST', headers: { 'content-type': 'text/plain', accept: JSON_POST.accept }, body: INITIALIZE });
      expect(plain.status).toBe(415);
      const jsonOnly = await fetch(proxy.url, { method: 'POST', headers: { ...JSON_POST, accept: 'application/json' }, body: INITIALIZE });
      expect(jsonOnly.status).toBe(406);
      const duplicate = await fetch(proxy.url, { method: 'POST', headers: JSON_POST, body: INITIALIZE.replace('"method":"initialize"', '"method":"initialize","method":"initialize"') });
      expect(duplicate.status).toBe(400);
      expect(await duplicate.json()).toMatchObject({ error: { code: -32700 } });
      const own = await fetch(proxy.url, { ...modernPost({ id: 1, method: 'tools/list' }, { origin: new URL(proxy.url).origin }) });
      expect(own.status).toBe(200);
      // Only the accepted modern request spawned a server.
      expect(proxy.pids()).toHaveLength(1);
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  it('--max-sessions caps 2025-era sessions (503, nothing spawned); --idle-timeout closes an idle one and ends its server', async () => {
    const proxy = await startListening(flags('--max-sessions', '1', '--idle-timeout', '1500'), 'dual-era.mjs');
    try {
      const first = await connectHttp('legacy', proxy.url);
      expect((await first.listTools()).tools).toHaveLength(2);
      const second = await fetch(proxy.url, { method: 'POST', headers: JSON_POST, body: INITIALIZE });
      expect(second.status).toBe(503);
      expect(proxy.pids()).toHaveLength(1);
      const [pid] = proxy.pids();
      await until(() => !alive(pid!), 15_000, 'the idle session\'s server to end');
      expect(proxy.stderr()).toMatch(/idle for 1500 ms/);
      // The slot is free again once the session has closed (its server ends first).
      let third: Awaited<ReturnType<typeof connectHttp>> | undefined;
      await until(async () => (third = await connectHttp('legacy', proxy.url).catch(() => undefined)) !== undefined, 10_000, 'a free session slot');
      expect((await third!.listTools()).tools).toHaveLength(2);
      await Promise.allSettled([first.close(), third!.close()]);
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  it('SIGTERM ends the proxy and every server it spawned, both eras', async () => {
    const proxy = await startListening(flags(), 'dual-era.mjs');
    const legacy = await connectHttp('legacy', proxy.url);
    const modern = await connectHttp('modern', proxy.url);
    await Promise.all([legacy.listTools(), modern.listTools()]);
    expect(proxy.pids()).toHaveLength(2);
    expect(await proxy.stop()).toBe(0);
    for (const pid of proxy.pids()) await until(() => !alive(pid), 10_000, `server ${pid} to end`);
  }, 60_000);

  it('listening beyond loopback needs --auth-token-file (exit 2); with one, a request without the token gets 401', async () => {
    const refused = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'proxy', '--listen', '0.0.0.0:0', ...flags(), '--', process.execPath, fixture('dual-era.mjs').args![0]!], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
      child.once('exit', (code) => resolve({ code, stderr }));
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--auth-token-file/);
    expect(refused.stderr).toContain('[AUTH_TOKEN_REQUIRED]');

    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const file = join(mkdtempSync(join(tmpdir(), 'toolseal-token-')), 'token');
    writeFileSync(file, 'sekrit-token\n');
    const proxy = await startListening(flags('--auth-token-file', file), 'dual-era.mjs');
    try {
      expect((await fetch(proxy.url, modernPost({ id: 1, method: 'tools/list' }))).status).toBe(401);
      const wrong = await fetch(proxy.url, modernPost({ id: 1, method: 'tools/list' }, { authorization: 'Bearer nope' }));
      expect(wrong.status).toBe(401);
      expect(proxy.pids()).toHaveLength(0);
      const ok = await fetch(proxy.url, modernPost({ id: 1, method: 'tools/list' }, { authorization: 'Bearer sekrit-token' }));
      expect(ok.status).toBe(200);
    } finally {
      await proxy.stop();
    }
  }, 60_000);
});
