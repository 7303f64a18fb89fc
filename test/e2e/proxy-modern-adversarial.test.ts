import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { runStdioProxy, type EnforceMode, type GuardAttestation, type ServerTarget } from '../../src/index.js';
import { alive, attest, fixture, memoryAudit, until } from './guard.helpers.js';

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} }, 'io.modelcontextprotocol/clientInfo': { name: 'raw-modern', version: '1' } };

/** A raw 2026-07-28 client on the library's stdio proxy (in-memory streams, a real spawned server). */
function modernSession(upstream: ServerTarget, attestation: GuardAttestation, enforce: EnforceMode, extra: { auditAllowedCalls?: boolean } = {}) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const pids: number[] = [];
  const audit = memoryAudit();
  const log: string[] = [];
  const ended = runStdioProxy({ upstream, attestation, stdin, stdout, stderr: 'ignore', settings: { enforce }, audit, log: (l) => log.push(l), onSpawn: (pid) => pids.push(pid), ...extra });
  const received: Array<Record<string, any>> = [];
  createInterface({ input: stdout }).on('line', (line) => received.push(JSON.parse(line) as Record<string, any>));
  let next = 0;
  const request = async (method: string, params: Record<string, unknown> = {}): Promise<Record<string, any>> => {
    const id = `c${++next}`;
    stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: META } })}\n`);
    let answer: Record<string, any> | undefined;
    await until(() => (answer = received.find((m) => m.id === id && m.method === undefined)) !== undefined, 15_000, `the answer to ${method}`);
    return answer!;
  };
  const end = async () => { stdin.end(); const e = await ended; for (const pid of pids) await until(() => !alive(pid), 10_000, 'the server to end'); return e; };
  return { request, received, pids, audit, log, ended, end, stdin };
}

describe('the modern era through the stdio proxy, adversarial servers', () => {
  it('MRTR: input_required and its retry pass intact; a retry that names a hidden tool is refused', async () => {
    const attestation = await attest(fixture('mrtr.mjs'));
    const s = modernSession(fixture('mrtr.mjs', { FIXTURE_POISON_SECRET: '1' }), attestation, 'filter');
    const first = await s.request('tools/call', { name: 'confirm', arguments: {} });
    expect(first.result).toMatchObject({ resultType: 'input_required', requestState: 'state-1', inputRequests: { ok: { method: 'elicitation/create', params: { message: 'Confirm the action?' } } } });
    const retry = await s.request('tools/call', { name: 'confirm', arguments: {}, inputResponses: { ok: { action: 'accept', content: { yes: true } } }, requestState: 'state-1' });
    expect(retry.result.content[0].text).toBe('confirm done ({"ok":{"action":"accept","content":{"yes":true}}}, state-1)');
    // The signed name is what the result names.
    expect(retry.result._meta['io.modelcontextprotocol/serverInfo']).toEqual({ name: 'fixture-mrtr', version: '1.0.0' });
    const smuggled = await s.request('tools/call', { name: 'secret', arguments: {}, inputResponses: { ok: { action: 'accept', content: { yes: true } } }, requestState: 'state-1' });
    expect(smuggled.error).toMatchObject({ code: -31051, data: { code: 'TOOL_NOT_VERIFIED', key: 'secret' } });
    expect((await s.request('tools/list')).result.tools.map((t: { name: string }) => t.name)).toEqual(['confirm']);
    expect(s.audit.records.some((r) => r.event === 'call' && r.decision === 'refuse' && r.entry === 'tools/secret')).toBe(true);
    expect((await s.end()).reason).toBe('client');
  }, 30_000);

  it('MRTR: input requests that hide Unicode are not forwarded (block and filter)', async () => {
    const attestation = await attest(fixture('mrtr.mjs'));
    const s = modernSession(fixture('mrtr.mjs', { FIXTURE_MRTR_HIDDEN: '1' }), attestation, 'filter');
    const answer = await s.request('tools/call', { name: 'confirm', arguments: {} });
    expect(answer.error).toMatchObject({ code: -31051, data: { code: 'HIDDEN_UNICODE' } });
    expect(JSON.stringify(answer)).not.toContain('\u200b');
    await s.end();
  }, 30_000);

  it('a poisoned entry: refused under block (the discover answer is the refusal, the proxy ends), hidden under filter', async () => {
    const attestation = await attest(fixture('dual-era.mjs'));
    const blocked = modernSession(fixture('modern.mjs', { FIXTURE_POISON: '1' }), attestation, 'block');
    const refused = await blocked.request('server/discover');
    expect(refused.error).toMatchObject({ code: -31052, data: { code: 'SESSION_REFUSED' } });
    expect((await blocked.ended).reason).toBe('refused');
    for (const pid of blocked.pids) await until(() => !alive(pid), 10_000, 'the server to end');
    const filtered = modernSession(fixture('modern.mjs', { FIXTURE_POISON: '1' }), attestation, 'filter');
    expect((await filtered.request('tools/list')).result.tools.map((t: { name: string }) => t.name)).toEqual(['add']);
    expect((await filtered.request('tools/call', { name: 'echo', arguments: { text: 'x' } })).error).toMatchObject({ code: -31051 });
    await filtered.end();
  }, 30_000);

  it('server/discover naming another version: the client gets the signed server info under filter, a refusal under block', async () => {
    const attestation = await attest(fixture('dual-era.mjs'));
    const filtered = modernSession(fixture('dual-era.mjs', { FIXTURE_MODERN_SERVER_VERSION: '6.6.6' }), attestation, 'filter');
    const discover = await filtered.request('server/discover');
    expect(discover.result._meta['io.modelcontextprotocol/serverInfo']).toEqual({ name: 'fixture-era', version: '2.0.0', title: 'Era fixture' });
    expect(JSON.stringify(discover)).not.toContain('6.6.6');
    const listed = await filtered.request('tools/list');
    expect(listed.result._meta['io.modelcontextprotocol/serverInfo'].version).toBe('2.0.0');
    await filtered.end();
    const blocked = modernSession(fixture('dual-era.mjs', { FIXTURE_MODERN_SERVER_NAME: 'evil-twin' }), attestation, 'block');
    expect((await blocked.request('server/discover')).error).toMatchObject({ code: -31052 });
    expect((await blocked.ended).reason).toBe('refused');
  }, 30_000);

  it('a rug pull announced on subscriptions/listen is re-verified before the notification is forwarded', async () => {
    const attestation = await attest(fixture('dual-era.mjs'));
    const s = modernSession(fixture('modern.mjs', { FIXTURE_RUG_PULL_AFTER_CALLS: '1', FIXTURE_RUG_PULL_ANNOUNCE: '1' }), attestation, 'filter');
    const stdinListen = { jsonrpc: '2.0', id: 'listen-1', method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: META } };
    s.stdin.write(`${JSON.stringify(stdinListen)}\n`);
    await until(() => s.received.some((m) => m.method === 'notifications/subscriptions/acknowledged'), 15_000, 'the acknowledgement');
    const ack = s.received.find((m) => m.method === 'notifications/subscriptions/acknowledged')!;
    expect(ack.params._meta['io.modelcontextprotocol/subscriptionId']).toBe('listen-1');
    expect((await s.request('tools/call', { name: 'echo', arguments: { text: 'x' } })).result).toBeDefined();
    await until(() => s.received.some((m) => m.method === 'notifications/tools/list_changed'), 15_000, 'the list change');
    const changed = s.received.find((m) => m.method === 'notifications/tools/list_changed')!;
    expect(changed.params._meta['io.modelcontextprotocol/subscriptionId']).toBe('listen-1');
    // Verified before it was forwarded: the hide is already recorded.
    expect(s.audit.records.some((r) => r.event === 'entry' && r.decision === 'hide' && r.entry === 'tools/echo')).toBe(true);
    expect((await s.request('tools/list')).result.tools.map((t: { name: string }) => t.name)).toEqual(['add']);
    expect((await s.request('tools/call', { name: 'echo', arguments: { text: 'x' } })).error).toMatchObject({ code: -31051 });
    await s.end();
  }, 30_000);

  it('a rug pull that is not announced is caught by the next list read', async () => {
    const attestation = await attest(fixture('dual-era.mjs'));
    const s = modernSession(fixture('modern.mjs', { FIXTURE_RUG_PULL_AFTER_CALLS: '1' }), attestation, 'filter');
    expect((await s.request('tools/list')).result.tools.map((t: { name: string }) => t.name)).toEqual(['echo', 'add']);
    expect((await s.request('tools/call', { name: 'echo', arguments: { text: 'x' } })).result).toBeDefined();
    expect(s.received.some((m) => m.method === 'notifications/tools/list_changed')).toBe(false);
    expect((await s.request('tools/list')).result.tools.map((t: { name: string }) => t.name)).toEqual(['add']);
    expect((await s.request('tools/call', { name: 'echo', arguments: { text: 'x' } })).error).toMatchObject({ code: -31051 });
    await s.end();
  }, 30_000);

  it('--audit-calls records each call to a verified entry once, and a call let through under warn only as what it was', async () => {
    const attestation = await attest(fixture('modern.mjs'));
    const s = modernSession(fixture('modern.mjs'), attestation, 'filter', { auditAllowedCalls: true });
    expect((await s.request('tools/call', { name: 'echo', arguments: { text: 'hi' } })).result.content[0].text).toBe('hi');
    expect((await s.request('prompts/get', { name: 'greeting', arguments: { name: 'Ada' } })).result.messages).toHaveLength(1);
    await s.request('ping');
    const calls = s.audit.records.filter((r) => r.event === 'call');
    expect(calls.map((r) => [r.decision, r.entry, r.reason])).toEqual([['allow', 'tools/echo', 'verified'], ['allow', 'prompts/greeting', 'verified']]);
    await s.end();

    const poisoned = modernSession(fixture('modern.mjs', { FIXTURE_POISON: '1' }), attestation, 'warn', { auditAllowedCalls: true });
    expect((await poisoned.request('tools/call', { name: 'echo', arguments: { text: 'hi' } })).result.content[0].text).toBe('hi');
    const warned = poisoned.audit.records.filter((r) => r.event === 'call');
    // Let through because of warn, and said so: never also recorded as a verified call.
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ decision: 'allow', entry: 'tools/echo', reason: expect.stringMatching(/^enforce: warn, although /) });
    await poisoned.end();
  });

  it('a list request with a cursor gets -32602: the guard serves every list in one page', async () => {
    const s = modernSession(fixture('modern.mjs'), await attest(fixture('modern.mjs')), 'filter');
    expect((await s.request('tools/list', { cursor: 'next' })).error).toMatchObject({ code: -32602, message: expect.stringContaining('no next page') });
    expect((await s.request('tools/list')).result.tools.map((t: { name: string }) => t.name).sort()).toEqual(['add', 'echo']);
    await s.end();
  });
});
