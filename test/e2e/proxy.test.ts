import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, EVERYTHING_BIN, fixture, readAuditLog, until } from './guard.helpers.js';
import { connectProxy, identityFlags, signTarget, startSigningBench, type ProxiedClient, type SigningBench } from './proxy.helpers.js';

let bench: SigningBench;
let everythingBundle: string;
let probeBundle: string;
const opened: ProxiedClient[] = [];

beforeAll(async () => {
  bench = await startSigningBench();
  [everythingBundle, probeBundle] = (await Promise.all([
    signTarget(bench, { kind: 'stdio', command: EVERYTHING_BIN, args: ['stdio'] }, 'everything.sigstore.json'),
    signTarget(bench, fixture('guard-probe.mjs'), 'probe.sigstore.json'),
  ])).map((s) => s.path) as [string, string];
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((p) => p.client.close().catch(() => {})));
  await bench?.sigstore.close();
});

async function proxy(args: string[], server: Parameters<typeof connectProxy>[1]): Promise<ProxiedClient> {
  const p = await connectProxy(args, server);
  opened.push(p);
  return p;
}

describe('toolseal proxy (stdio) with server-everything', () => {
  it('lists and calls tools, passes progress notifications through, and ends the server with the client', async () => {
    const p = await proxy(['--bundle', everythingBundle, ...identityFlags(bench)], { command: EVERYTHING_BIN, args: ['stdio'] });
    const { tools } = await p.client.listTools();
    expect(tools.map((t) => t.name)).toContain('echo');
    expect(tools).toHaveLength(13);
    const echo = await p.client.callTool({ name: 'echo', arguments: { message: 'through the proxy' } });
    expect(JSON.stringify(echo.content)).toContain('through the proxy');
    // onprogress makes the SDK send a progress token; what arrives is checked on the raw stream below.
    const progress: number[] = [];
    const long = await p.client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
      undefined,
      { onprogress: (n) => void progress.push(n.progress) },
    );
    expect(JSON.stringify(long.content)).toMatch(/completed/i);
    // All three progress notifications reach the client, in order and before the result. (The
    // SDK's own onprogress may miss the last one: it runs notification handlers a tick after
    // the response has removed the handler, directly connected or not.)
    const stream = p.received.map((m) => ('method' in m && m.method === 'notifications/progress' ? `progress ${(m.params as { progress: number }).progress}` : 'result' in m ? 'result' : 'other'));
    const lastResult = stream.lastIndexOf('result');
    expect(stream.slice(0, lastResult + 1).filter((x) => x !== 'other').slice(-4)).toEqual(['progress 1', 'progress 2', 'progress 3', 'result']);
    expect(p.stderr()).toMatch(/accept; exposed 13 tools/);
    const pid = p.serverPid()!;
    expect(alive(pid)).toBe(true);
    await p.client.close();
    expect(await p.exited).toBe(0);
    await until(() => !alive(pid), 5000, `server pid ${pid} to end`);
  });
});

describe('toolseal proxy (stdio) with the probe fixture', () => {
  it('passes cancellation through with the upstream id, and 1,000 concurrent calls come back matched', async () => {
    const p = await proxy(['--bundle', probeBundle, ...identityFlags(bench)], fixture('guard-probe.mjs', { FIXTURE_SLOW_MS: '5000' }));
    const controller = new AbortController();
    const slow = p.client.callTool({ name: 'slow', arguments: {} }, undefined, { signal: controller.signal });
    setTimeout(() => controller.abort('test cancels'), 100);
    await expect(slow).rejects.toThrow();
    await until(async () => JSON.parse(await statsText(p)).cancelled.length === 1, 5000, 'the server to see the cancellation');
    expect(JSON.parse(await statsText(p)).cancelled).toMatchObject([{ matched: true }]);
    const calls = Array.from({ length: 1000 }, (_, i) => p.client.callTool({ name: 'echo', arguments: { text: `call-${i}` } }));
    const results = await Promise.all(calls);
    results.forEach((r, i) => expect((r.content as { text: string }[])[0]!.text).toBe(`call-${i}`));
  });

  it('survives a flood of notifications: every log message arrives, list_changed refreshes are coalesced', async () => {
    const p = await proxy(['--bundle', probeBundle, ...identityFlags(bench)], fixture('guard-probe.mjs', { FIXTURE_FLOOD_MESSAGES: '5000', FIXTURE_FLOOD_LIST_CHANGED: '300' }));
    let messages = 0;
    let listChanged = 0;
    p.client.setNotificationHandler((await import('@modelcontextprotocol/sdk/types.js')).LoggingMessageNotificationSchema, () => void messages++);
    p.client.setNotificationHandler((await import('@modelcontextprotocol/sdk/types.js')).ToolListChangedNotificationSchema, () => void listChanged++);
    await p.client.callTool({ name: 'flood', arguments: {} });
    await until(() => messages === 5000, 10_000, 'all 5000 log messages');
    const echo = await p.client.callTool({ name: 'echo', arguments: { text: 'still alive' } });
    expect((echo.content as { text: string }[])[0]!.text).toBe('still alive');
    await until(() => listChanged > 0, 5000, 'a list_changed');
    const stats = JSON.parse(await statsText(p)) as { listings: number };
    expect(listChanged).toBeLessThan(300);
    expect(stats.listings).toBeLessThan(300);
  });

  it('ends with exit code 2 and answers the pending call when the server crashes', async () => {
    const p = await proxy(['--bundle', probeBundle, ...identityFlags(bench)], fixture('guard-probe.mjs'));
    const closed = new Promise<void>((resolve) => { p.client.onclose = () => resolve(); });
    await expect(p.client.callTool({ name: 'crash', arguments: {} })).rejects.toThrow();
    await closed;
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(/the server failed/);
  });

  it('a server that changes a description without list_changed is caught at the next tools/list (filter), and logged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolseal-proxy-'));
    const log = join(dir, 'audit.jsonl');
    const p = await proxy(['--bundle', probeBundle, ...identityFlags(bench), '--enforce', 'filter', '--audit-log', log], fixture('guard-probe.mjs', { FIXTURE_SILENT_CHANGE_AFTER: '1' }));
    await p.client.callTool({ name: 'echo', arguments: { text: 'one' } });
    const { tools } = await p.client.listTools();
    expect(tools.map((t) => t.name)).not.toContain('echo');
    const refused = p.client.callTool({ name: 'echo', arguments: { text: 'two' } });
    await expect(refused).rejects.toMatchObject({ code: -31051, data: { code: 'TOOL_NOT_VERIFIED', key: 'echo' } });
    await expect(refused).rejects.toThrow(/-31051.*echo.*not verified/);
    await p.client.close();
    await p.exited;
    const records = await readAuditLog(log);
    expect(records.find((r) => r.event === 'entry' && r.entry === 'tools/echo' && r.decision === 'hide')).toMatchObject({ code: 'ENTRY_CHANGED' });
    expect(records.find((r) => r.event === 'call' && r.decision === 'refuse')).toMatchObject({ entry: 'tools/echo', server: 'fixture-guard-probe' });
  });
});

async function statsText(p: ProxiedClient): Promise<string> {
  const stats = await p.client.callTool({ name: 'stats', arguments: {} });
  return (stats.content as { text: string }[])[0]!.text;
}
