import { afterEach, describe, expect, it } from 'vitest';
import { ToolNotVerifiedError, guardClient, type GuardedClient } from '../../src/index.js';
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
});
