import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from '../../src/testing/http-server.js';
import { alive, fixture, readAuditLog, until } from './guard.helpers.js';
import { connectProxy, identityFlags, signTarget, startSigningBench, type ProxiedClient, type SigningBench } from './proxy.helpers.js';

const RUG_PULL = { FIXTURE_CHANGE: 'after-calls', FIXTURE_CALLS: '3' };
const LATE_PAGE_2 = { FIXTURE_ADD_TOOL_AFTER_LISTINGS: '1' };
let bench: SigningBench;
let rugBundle: string;
let pagedBundle: string;
let probeBundle: string;
let strangerBundle: string;
let host: LoopbackServer;
const opened: ProxiedClient[] = [];

beforeAll(async () => {
  bench = await startSigningBench();
  [rugBundle, pagedBundle, probeBundle, strangerBundle] = (await Promise.all([
    signTarget(bench, fixture('list-changed.mjs', RUG_PULL), 'rug.sigstore.json'),
    signTarget(bench, fixture('paginated.mjs'), 'paged.sigstore.json'),
    signTarget(bench, fixture('guard-probe.mjs'), 'probe.sigstore.json'),
    signTarget(bench, fixture('guard-probe.mjs'), 'stranger.sigstore.json', 'mallory/probe'),
  ])).map((s) => s.path) as [string, string, string, string];
  const probe = await readFile(probeBundle);
  host = await startLoopbackServer(async (req) => (req.url.pathname === '/probe.sigstore.json' ? { status: 200, body: probe, contentType: 'application/json' } : undefined));
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((p) => p.client.close().catch(() => {})));
  await Promise.all([bench?.sigstore.close(), host?.close()]);
});

async function proxy(args: string[], server: Parameters<typeof connectProxy>[1]): Promise<ProxiedClient> {
  const p = await connectProxy(args, server);
  opened.push(p);
  return p;
}

const auditLog = (name: string): string => join(bench.dir, `${name}.jsonl`);
const text = (r: unknown): string => ((r as { content: { text: string }[] }).content)[0]!.text;

describe('a rug pull after 3 calls (description changed, then list_changed)', () => {
  it('filter: the client is told the list changed, the tool is gone from the list, and calls to it are refused', async () => {
    const log = auditLog('rug-filter');
    const p = await proxy(['--bundle', rugBundle, ...identityFlags(bench), '--enforce', 'filter', '--audit-log', log], fixture('list-changed.mjs', RUG_PULL));
    let changed = 0;
    p.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    for (let i = 0; i < 3; i++) await p.client.callTool({ name: 'get_weather', arguments: { text: `${i}` } });
    await until(() => changed === 1, 5000, 'list_changed to reach the client');
    expect((await p.client.listTools()).tools.map((t) => t.name)).toEqual(['get_time']);
    const refused = await p.client.callTool({ name: 'get_weather', arguments: {} }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(McpError);
    expect(refused).toMatchObject({ code: -31051, data: { code: 'TOOL_NOT_VERIFIED', key: 'get_weather', list: 'tools' } });
    expect(text(await p.client.callTool({ name: 'get_time', arguments: {} }))).toBe('{}');
    await p.client.close();
    expect(await p.exited).toBe(0);
    const records = await readAuditLog(log);
    expect(records.filter((r) => r.event === 'verify').map((r) => r.decision)).toEqual(['accept', 'filter', 'filter']);
    expect(records).toContainEqual(expect.objectContaining({ event: 'entry', entry: 'tools/get_weather', decision: 'hide', code: 'ENTRY_CHANGED' }));
    expect(records).toContainEqual(expect.objectContaining({ event: 'call', entry: 'tools/get_weather', decision: 'refuse' }));
  });

  it('block: the session ends, the proxy exits 1, and the audit log says why', async () => {
    const log = auditLog('rug-block');
    const p = await proxy(['--bundle', rugBundle, ...identityFlags(bench), '--enforce', 'block', '--audit-log', log], fixture('list-changed.mjs', RUG_PULL));
    const closed = new Promise<void>((resolve) => { p.client.onclose = () => resolve(); });
    for (let i = 0; i < 3; i++) await p.client.callTool({ name: 'get_weather', arguments: { text: `${i}` } });
    await closed;
    expect(await p.exited).toBe(1);
    await until(() => !alive(p.serverPid()!), 5000, 'the server to end');
    expect(p.stderr()).toMatch(/refused the server fixture-list-changed \(enforce: block\): tools\/get_weather: differs from the signed entry at \/tools\/get_weather\/description/);
    const records = await readAuditLog(log);
    expect(records.filter((r) => r.event === 'verify').map((r) => r.decision)).toEqual(['accept', 'refuse']);
    expect(records.at(-1)).toMatchObject({ event: 'session', decision: 'refused' });
  });
});

describe('a tool added on page 2 after the first listing, with no list_changed', () => {
  it('filter: the re-read at the client\'s tools/list hides it and refuses calls to it', async () => {
    const p = await proxy(['--bundle', pagedBundle, ...identityFlags(bench), '--enforce', 'filter'], fixture('paginated.mjs', LATE_PAGE_2));
    const { tools } = await p.client.listTools();
    // In the server's own order (add_note replaces tool_002 at the head of page 2), never re-sorted.
    expect(tools.map((t) => t.name)).toEqual(['tool_000', 'tool_001', 'add_note', 'tool_003', 'tool_004', 'tool_005']);
    expect(tools.find((t) => t.name === 'late_addition')).toBeUndefined();
    const refused = p.client.callTool({ name: 'late_addition', arguments: {} });
    await expect(refused).rejects.toMatchObject({ code: -31051, data: { code: 'TOOL_NOT_VERIFIED', key: 'late_addition' } });
    await expect(refused).rejects.toThrow(/late_addition.*not verified \(not in the signed manifest\)/);
  });

  it('block: the client\'s tools/list is answered with the refusal and the session ends', async () => {
    const p = await proxy(['--bundle', pagedBundle, ...identityFlags(bench), '--enforce', 'block'], fixture('paginated.mjs', LATE_PAGE_2));
    await expect(p.client.listTools()).rejects.toMatchObject({ code: -31052, data: { code: 'SESSION_REFUSED' } });
    expect(await p.exited).toBe(1);
  });
});

describe('where the bundle comes from', () => {
  it('--bundle https?://: fetched, verified, enforced', async () => {
    const p = await proxy(['--bundle', `${host.url}/probe.sigstore.json`, ...identityFlags(bench)], fixture('guard-probe.mjs'));
    expect(text(await p.client.callTool({ name: 'echo', arguments: { text: 'via url' } }))).toBe('via url');
  });

  it('--bundle-from-server: the bundle the server offers in initialize _meta is verified under the policy', async () => {
    const p = await proxy(['--bundle-from-server', ...identityFlags(bench)], fixture('guard-probe.mjs', { FIXTURE_BUNDLE_FILE: probeBundle }));
    expect((await p.client.listTools()).tools).toHaveLength(5);
  });

  it('--bundle-from-server: a bundle signed by someone the policy does not name refuses the server at connect', async () => {
    const err = await connectProxy(['--bundle-from-server', ...identityFlags(bench)], fixture('guard-probe.mjs', { FIXTURE_BUNDLE_FILE: strangerBundle })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: -31052, data: { code: 'SESSION_REFUSED' } });
    expect((err as Error).message).toMatch(/signed manifest could not be obtained/);
    const proxied = (err as { proxied: ProxiedClient }).proxied;
    expect(await proxied.exited).toBe(1);
  });

  it('--bundle-from-server: a server that offers nothing is refused', async () => {
    const err = await connectProxy(['--bundle-from-server', ...identityFlags(bench)], fixture('guard-probe.mjs')).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/offers no bundle in its initialize result/);
  });

  it('a bundle for another server refuses at connect (block), naming what differs', async () => {
    const err = await connectProxy(['--bundle', probeBundle, ...identityFlags(bench)], fixture('list-changed.mjs', RUG_PULL)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: -31052 });
    expect((err as Error).message).toMatch(/\/server\/name/);
    expect(await (err as { proxied: ProxiedClient }).proxied.exited).toBe(1);
  });
});
