import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEraHttp, type RunningServer } from './capture-servers.helpers.js';
import { alive, fixture, until } from './guard.helpers.js';
import { identityFlags, signTarget, startSigningBench, type SigningBench } from './proxy.helpers.js';
import { connectHttp, modernPost, startListening, startRoundRobin } from './proxy-modern.helpers.js';

let bench: SigningBench;
let eraBundle: string;
let dualHttp: RunningServer;

beforeAll(async () => {
  [bench, dualHttp] = await Promise.all([startSigningBench(), startEraHttp('dual-era.mjs')]);
  eraBundle = (await signTarget(bench, fixture('dual-era.mjs'), 'era.sigstore.json')).path;
}, 60_000);

afterAll(async () => {
  await Promise.all([bench?.sigstore.close(), dualHttp?.stop()]);
});

const flags = (...extra: string[]): string[] => ['--bundle', eraBundle, ...identityFlags(bench), ...extra];

describe('toolseal proxy --listen, 2026-07-28 clients', () => {
  it('stateless to a stdio server: modern, auto and legacy v2 clients each get what they get directly', async () => {
    const proxy = await startListening(flags(), 'dual-era.mjs');
    try {
      for (const era of ['modern', 'auto', 'legacy'] as const) {
        const client = await connectHttp(era, proxy.url);
        expect(client.getProtocolEra()).toBe(era === 'legacy' ? 'legacy' : 'modern');
        expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo', 'add']);
        expect((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content).toEqual([{ type: 'text', text: '5' }]);
        await client.close();
      }
      // Modern requests share one spawned server; the legacy session had its own.
      expect(proxy.pids().length).toBe(2);
    } finally {
      expect(await proxy.stop()).toBe(0);
    }
    for (const pid of proxy.pids()) await until(() => !alive(pid), 10_000, `server ${pid} to end`);
  }, 60_000);

  it('stateless to an HTTP server: no session anywhere; each request carries the mirrored headers upstream', async () => {
    const proxy = await startListening(flags('--upstream', dualHttp.url));
    try {
      const client = await connectHttp('modern', proxy.url);
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo', 'add']);
      expect((await client.callTool({ name: 'echo', arguments: { text: 'over http' } })).content).toEqual([{ type: 'text', text: 'over http' }]);
      expect(client.getServerVersion()).toMatchObject({ name: 'fixture-era', version: '2.0.0' });
      await client.close();
      const raw = await fetch(proxy.url, modernPost({ id: 7, method: 'tools/list' }));
      expect(raw.headers.get('mcp-session-id')).toBeNull();
      expect(((await raw.json()) as { id: number }).id).toBe(7);
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  it('a header naming an allowed tool over a body that calls a hidden one is refused (-32020), and so is the hidden call itself (-31051)', async () => {
    const proxy = await startListening(flags('--enforce', 'filter'), 'dual-era.mjs', { FIXTURE_POISON: '1' });
    try {
      const call = { id: 3, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } };
      const mismatch = await fetch(proxy.url, modernPost(call, { 'mcp-name': 'add' }));
      expect(mismatch.status).toBe(400);
      expect(await mismatch.json()).toMatchObject({ id: 3, error: { code: -32020 } });
      const missing = await fetch(proxy.url, modernPost({ id: 4, method: 'tools/list' }, { 'mcp-method': 'tools/call' }));
      expect(await missing.json()).toMatchObject({ id: 4, error: { code: -32020 } });
      const hidden = await fetch(proxy.url, modernPost(call));
      expect(await hidden.json()).toMatchObject({ id: 3, error: { code: -31051, data: { code: 'TOOL_NOT_VERIFIED', key: 'echo' } } });
      const list = (await (await fetch(proxy.url, modernPost({ id: 5, method: 'tools/list' }))).json()) as { result: { tools: { name: string }[] } };
      expect(list.result.tools.map((t) => t.name)).toEqual(['add']);
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  it('the revision\'s errors carry the request id: -32602 without _meta, -32601 for a removed method, -32022 for an unknown version', async () => {
    const proxy = await startListening(flags(), 'dual-era.mjs');
    try {
      const noMeta = await fetch(proxy.url, { ...modernPost({ id: 11, method: 'tools/list' }), body: JSON.stringify({ jsonrpc: '2.0', id: 11, method: 'tools/list', params: {} }) });
      expect(noMeta.status).toBe(400);
      expect(await noMeta.json()).toMatchObject({ id: 11, error: { code: -32602 } });
      const removed = await fetch(proxy.url, modernPost({ id: 12, method: 'ping' }));
      expect(removed.status).toBe(404);
      expect(await removed.json()).toMatchObject({ id: 12, error: { code: -32601 } });
      const body = JSON.stringify({ jsonrpc: '2.0', id: 13, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '1900-01-01', 'io.modelcontextprotocol/clientCapabilities': {} } } });
      const old = await fetch(proxy.url, { ...modernPost({ id: 13, method: 'tools/list' }, { 'mcp-protocol-version': '1900-01-01' }), body });
      expect(old.status).toBe(400);
      expect(await old.json()).toMatchObject({ id: 13, error: { code: -32022, data: { requested: '1900-01-01' } } });
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  it('scales out: two proxy processes behind one loopback round-robin serve one modern client, any instance answering any request', async () => {
    const [a, b] = await Promise.all([startListening(flags('--enforce', 'filter'), 'dual-era.mjs', { FIXTURE_POISON: '1' }), startListening(flags('--enforce', 'filter'), 'dual-era.mjs', { FIXTURE_POISON: '1' })]);
    const balancer = await startRoundRobin([a.url, b.url]);
    try {
      const client = await connectHttp('modern', balancer.url);
      for (let i = 0; i < 3; i++) {
        expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['add']);
        expect((await client.callTool({ name: 'add', arguments: { a: i, b: 1 } })).content).toEqual([{ type: 'text', text: String(i + 1) }]);
        const refused = client.callTool({ name: 'echo', arguments: { text: 'x' } });
        await expect(refused).rejects.toMatchObject({ code: -31051, data: { code: 'TOOL_NOT_VERIFIED' } });
        await expect(refused).rejects.toThrow(/not verified/);
      }
      await client.close();
      expect(balancer.served[0]).toBeGreaterThanOrEqual(4);
      expect(balancer.served[1]).toBeGreaterThanOrEqual(4);
      // Each instance verified on its own, and each refused the hidden tool itself.
      expect(a.pids()).toHaveLength(1);
      expect(b.pids()).toHaveLength(1);
    } finally {
      await balancer.close();
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 60_000);
});
