import { PassThrough } from 'node:stream';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import { runStdioProxy, type GuardAttestation, type ServerTarget } from '../../src/index.js';
import { groupAlive, processAlive } from '../../src/manifest/capture/process.js';
import { attest, fixture, FIXTURES } from './guard.helpers.js';

/** Polls until `get` returns something (the test's own timeout bounds the wait). */
async function until<T>(get: () => T | undefined): Promise<T> {
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
}

let attestation: GuardAttestation;
beforeAll(async () => {
  attestation = await attest(fixture('paginated.mjs'));
});

/** Runs the stdio proxy over in-memory streams; `lines` yields what the client receives. */
function proxy(upstream: ServerTarget) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const pids: number[] = [];
  const ended = runStdioProxy({ upstream, attestation, stdin, stdout, stderr: 'ignore', onSpawn: (pid) => pids.push(pid) });
  const received: Array<Record<string, unknown>> = [];
  createInterface({ input: stdout }).on('line', (line) => received.push(JSON.parse(line) as Record<string, unknown>));
  const send = (message: object): void => void stdin.write(`${JSON.stringify(message)}\n`);
  /** Resolves with the client's answer to `id` once it arrived. */
  const answer = (id: number) => until(() => received.find((m) => m.id === id));
  return { stdin, ended, pids, received, send, answer };
}

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };

describe('the proxy reads its stdio upstream strictly', () => {
  it('a tools/list with duplicate keys ends the session with SERVER_JSON_INVALID and ends the server', async () => {
    const p = proxy(fixture('duplicate-keys.mjs'));
    p.send(INITIALIZE);
    const end = await p.ended;
    expect(end.reason).toBe('upstream');
    expect((end.error as Error & { code?: string }).code).toBe('SERVER_JSON_INVALID');
    expect(end.error?.message).toContain('the key "description" twice');
    expect(p.pids).toHaveLength(1);
    expect(processAlive(p.pids[0]!)).toBe(false);
  });

  it('a server that logs plain text on stdout is served; each skipped line is logged and in the audit log', async () => {
    const records: Array<Record<string, unknown>> = [];
    const logs: string[] = [];
    const noisy = fixture('noisy-stdout.mjs');
    const noisyAttestation = await attest(noisy);
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const ended = runStdioProxy({
      upstream: noisy, attestation: noisyAttestation, stdin, stdout, stderr: 'ignore', log: (line) => logs.push(line),
      audit: { write: (r) => void records.push(r as unknown as Record<string, unknown>), close: async () => {} },
    });
    const received: Array<Record<string, unknown>> = [];
    createInterface({ input: stdout }).on('line', (line) => received.push(JSON.parse(line) as Record<string, unknown>));
    stdin.write(`${JSON.stringify(INITIALIZE)}\n`);
    stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })}\n`);
    const listed = await until(() => received.find((m) => m.id === 2));
    expect((listed.result as { tools: { name: string }[] }).tools.map((t) => t.name)).toEqual(['echo']);
    stdin.end();
    expect((await ended).reason).toBe('client');
    const skipped = records.filter((r) => r.event === 'server-output');
    // The start-up warning, then one line before each of the guard's two reads of tools/list.
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    expect(skipped[0]).toMatchObject({ decision: 'skipped', reason: expect.stringContaining('not JSON') });
    expect(logs.filter((l) => l.includes('not JSON')).length).toBe(skipped.length);
    expect(JSON.stringify(records) + logs.join('\n')).not.toContain('sk-noise');
  });

  it('when the client goes away, a launcher and its stubborn grandchild server are both ended', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'toolseal-launcher-')), 'pid');
    const target = fixture('launcher.mjs', { FIXTURE_PID_FILE: pidFile, FIXTURE_STUBBORN: '1' });
    const p = proxy({ ...target, args: [...target.args!, join(FIXTURES, 'paginated.mjs')] });
    p.send(INITIALIZE);
    expect(await p.answer(1)).toHaveProperty('result');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(processAlive(grandchild)).toBe(true);
    p.stdin.end();
    const end = await p.ended;
    expect(end.reason).toBe('client');
    expect(processAlive(p.pids[0]!)).toBe(false);
    expect(processAlive(grandchild), `grandchild ${grandchild} is still running`).toBe(false);
    expect(groupAlive(p.pids[0]!)).toBe(false);
  });
});
