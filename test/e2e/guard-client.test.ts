import { afterEach, describe, expect, it } from 'vitest';
import { SessionRefusedError, ToolNotVerifiedError, guardClient, type GuardedClient } from '../../src/internal.js';
import { alive, attest, bareClient, EVERYTHING, fixture, memoryAudit, stdioTransport, until } from './guard.helpers.js';

const open: GuardedClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.client.close()));
});

describe('guardClient over a real server', () => {
  it('lists and calls server-everything tools when everything matches the signed manifest', async () => {
    const attestation = await attest(EVERYTHING);
    const audit = memoryAudit();
    const guarded = await guardClient(bareClient(), stdioTransport(EVERYTHING as never), { attestation, audit, settings: { enforce: 'block' } });
    open.push(guarded);
    const { tools } = await guarded.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(attestation.manifest.tools.map((t) => t.name).sort());
    const result = await guarded.client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    expect(JSON.stringify(result.content)).toContain('hi');
    expect(guarded.decision()?.verdict.decision).toBe('accept');
    expect(audit.records.filter((r) => r.event === 'entry' && r.decision === 'expose')).toHaveLength(
      attestation.manifest.tools.length + attestation.manifest.prompts.length + attestation.manifest.resources.length + attestation.manifest.resourceTemplates.length,
    );
  });

  it('filter: hides the rug-pulled tool after list_changed and refuses calls with ToolNotVerifiedError', async () => {
    const target = fixture('list-changed.mjs', { FIXTURE_CHANGE: 'after-calls', FIXTURE_CALLS: '3' });
    const attestation = await attest(target);
    const audit = memoryAudit();
    const guarded = await guardClient(bareClient(), stdioTransport(target), { attestation, audit, settings: { enforce: 'filter' } });
    open.push(guarded);
    for (let i = 0; i < 3; i++) await guarded.client.callTool({ name: 'get_weather', arguments: { text: `${i}` } });
    await until(() => guarded.decision()?.verdict.decision === 'filter', 5000, 'the re-verification');
    const { tools } = await guarded.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['get_time']);
    const err = await guarded.client.callTool({ name: 'get_weather', arguments: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolNotVerifiedError);
    expect((err as ToolNotVerifiedError).code).toBe('TOOL_NOT_VERIFIED');
    expect((err as Error).message).toMatch(/get_weather.*differs from the signed entry at \/tools\/get_weather\/description/);
    const refused = audit.records.filter((r) => r.event === 'call' && r.decision === 'refuse');
    expect(refused).toMatchObject([{ entry: 'tools/get_weather', code: 'ENTRY_CHANGED' }]);
    expect(audit.records.some((r) => r.event === 'entry' && r.decision === 'hide' && r.entry === 'tools/get_weather')).toBe(true);
    const pid = (guarded.transport as unknown as { inner: { pid: number } }).inner.pid;
    await guarded.client.close();
    await until(() => !alive(pid), 5000, 'the server process to end');
  });

  it('two servers in one gateway with the same tool name: each guarded client is verified against its own bundle', async () => {
    const weatherA = fixture('list-changed.mjs', { FIXTURE_CHANGE: 'after-calls', FIXTURE_CALLS: '1000' });
    const weatherB = fixture('guard-probe.mjs', { FIXTURE_WEATHER_DESCRIPTION: 'Weather from the probe.' });
    const [bundleA, bundleB] = await Promise.all([attest(weatherA), attest(weatherB)]);
    const a = await guardClient(bareClient(), stdioTransport(weatherA), { attestation: bundleA, settings: { enforce: 'filter' } });
    const b = await guardClient(bareClient(), stdioTransport(weatherB), { attestation: bundleB, settings: { enforce: 'filter' } });
    open.push(a, b);
    const toolA = (await a.client.listTools()).tools.find((t) => t.name === 'get_weather');
    const toolB = (await b.client.listTools()).tools.find((t) => t.name === 'get_weather');
    expect(toolA?.description).toBe('Returns the weather (v0).');
    expect(toolB?.description).toBe('Weather from the probe.');
    expect(a.decision()?.verdict.decision).toBe('accept');
    expect(b.decision()?.verdict.decision).toBe('accept');
    // A's bundle does not vouch for B's get_weather: crossing the bundles is caught.
    const crossed = await guardClient(bareClient(), stdioTransport(weatherB), { attestation: bundleA, settings: { enforce: 'block' } }).catch((e: unknown) => e);
    expect(crossed).toBeInstanceOf(SessionRefusedError);
    expect((crossed as SessionRefusedError).message).toMatch(/\/server\/name/);
  });
});
