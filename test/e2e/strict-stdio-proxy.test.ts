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

describe('the proxy reads its client strictly and forwards what it checked', () => {
  /** A proxy to raw-lines.mjs; `lines()` asks the server which lines it read. */
  async function rawLinesProxy(opts: { log?: (line: string) => void; limits?: { maxListBytes: number } } = {}, env: Record<string, string> = {}) {
    const target = fixture('raw-lines.mjs', env);
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const ended = runStdioProxy({ upstream: target, attestation: await attest(target), stdin, stdout, stderr: 'ignore', ...opts });
    const received: Array<Record<string, unknown>> = [];
    createInterface({ input: stdout }).on('line', (line) => received.push(JSON.parse(line) as Record<string, unknown>));
    const answer = (id: number) => until(() => received.find((m) => m.id === id));
    stdin.write(`${JSON.stringify(INITIALIZE)}\n`);
    await answer(1);
    let next = 1000;
    const lines = async (): Promise<string[]> => {
      const id = next++;
      stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'lines', arguments: {} } })}\n`);
      const reply = await answer(id);
      return JSON.parse((reply.result as { content: { text: string }[] }).content[0]!.text) as string[];
    };
    return { stdin, ended, received, answer, lines };
  }

  it('a call read strictly reaches the server as the client wrote it, spacing and escapes kept, under the guard\'s own id', async () => {
    const p = await rawLinesProxy();
    const line = '{ "jsonrpc" : "2.0", "id" : 7 , "method":"tools/call","params":{"arguments":{"text":"caf\\u00e9 \\ud83d\\ude00"},"name":"echo"}}';
    p.stdin.write(`${line}\n`);
    expect((await p.answer(7)).result).toEqual({ content: [{ type: 'text', text: '{"text":"café 😀"}' }] });
    const forwarded = (await p.lines()).filter((l) => l.includes('caf'));
    expect(forwarded).toHaveLength(1);
    // Only the id's bytes differ: the guard forwards client requests under ids of its own.
    const id = /"id" : (\d+) ,/.exec(forwarded[0]!)?.[1];
    expect(id).toBeDefined();
    expect(forwarded[0]).toBe(line.replace('"id" : 7 ,', `"id" : ${id} ,`));
    p.stdin.end();
    expect((await p.ended).reason).toBe('client');
  });

  it('a call with a duplicate key reaches the server as the guard read it (the last name), never as its raw bytes', async () => {
    const p = await rawLinesProxy();
    // A parser that keeps the first key would read "lines"; the guard and JSON.parse read "echo".
    p.stdin.write('{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"lines","name":"echo","arguments":{"text":"dup"}}}\n');
    expect((await p.answer(8)).result).toEqual({ content: [{ type: 'text', text: '{"text":"dup"}' }] });
    const forwarded = (await p.lines()).filter((l) => l.includes('dup'));
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]!.match(/"name"/g)).toHaveLength(1);
    expect(JSON.parse(forwarded[0]!)).toMatchObject({ method: 'tools/call', params: { name: 'echo', arguments: { text: 'dup' } } });
    p.stdin.end();
    await p.ended;
  });

  it('a line that is no JSON-RPC message is skipped and said; the session goes on', async () => {
    const logs: string[] = [];
    const p = await rawLinesProxy({ log: (l) => logs.push(l) });
    p.stdin.write('this is not json\n{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":{"text":"after"}}}\n');
    expect((await p.answer(9)).result).toEqual({ content: [{ type: 'text', text: '{"text":"after"}' }] });
    expect(logs.some((l) => l.startsWith('toolseal: skipped a line from the MCP client'))).toBe(true);
    expect((await p.lines()).some((l) => l.includes('not json'))).toBe(false);
    p.stdin.end();
    await p.ended;
  });

  it('a call nested too deep to serialize is answered with UPSTREAM_FAILED, and the proxy goes on', async () => {
    const p = await rawLinesProxy();
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    p.stdin.write(`{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"echo","arguments":{"text":${deep}}}}\n`);
    expect((await p.answer(11)).error).toMatchObject({ code: -31053, data: { code: 'UPSTREAM_FAILED', reason: expect.stringContaining('could not be sent to the server') } });
    p.stdin.write('{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"echo","arguments":{"text":"still here"}}}\n');
    expect((await p.answer(12)).result).toEqual({ content: [{ type: 'text', text: '{"text":"still here"}' }] });
    p.stdin.end();
    expect((await p.ended).reason).toBe('client');
  });

  it('while the server does not read, the proxy stops reading the client instead of buffering, and then passes everything on', async () => {
    const p = await rawLinesProxy({}, { FIXTURE_STALL_MS: '1500' });
    p.stdin.write('{"jsonrpc":"2.0","id":20,"method":"tools/call","params":{"name":"stall","arguments":{}}}\n');
    await p.answer(20);
    const text = `bulk${'x'.repeat(32 * 1024)}`;
    for (let i = 0; i < 200; i++) p.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 100 + i, method: 'tools/call', params: { name: 'echo', arguments: { text } } })}\n`);
    // 6 MiB for a server that reads nothing for 1.5 s: the proxy holds the client's stdin.
    await until(() => (p.stdin.isPaused() ? true : undefined));
    expect(p.received.filter((m) => Number(m.id) >= 100)).toHaveLength(0);
    await until(() => (p.received.filter((m) => Number(m.id) >= 100).length === 200 ? true : undefined));
    expect(p.stdin.isPaused()).toBe(false);
    p.stdin.end();
    expect((await p.ended).reason).toBe('client');
  });

  it('a client line longer than the limit ends the session with CLIENT_MESSAGE_TOO_LARGE and ends the server', async () => {
    const p = await rawLinesProxy({ limits: { maxListBytes: 1024 } });
    p.stdin.write(`{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"echo","arguments":{"text":"${'x'.repeat(1024 * 1024 + 2048)}"}}}\n`);
    const end = await p.ended;
    expect(end.reason).toBe('client');
    expect((end.error as Error & { code?: string }).code).toBe('CLIENT_MESSAGE_TOO_LARGE');
    expect(p.received.some((m) => m.id === 10)).toBe(false);
  });
});

describe('the proxy answers list requests it cannot serve from the server', () => {
  it('a list request with a cursor gets -32602: the guard serves every list in one page', async () => {
    const p = proxy(fixture('paginated.mjs'));
    p.send(INITIALIZE);
    await p.answer(1);
    p.send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { cursor: 'page-1' } });
    expect((await p.answer(2)).error).toMatchObject({ code: -32602, message: expect.stringContaining('no next page') });
    p.stdin.end();
    await p.ended;
  });

  it('under filter, a list the guard could not read is answered with UPSTREAM_FAILED naming why, and the session goes on', async () => {
    const small = { FIXTURE_SCHEMA_BYTES: '300000' };
    const attestation = await attest(fixture('huge-schema.mjs', small));
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const ended = runStdioProxy({ upstream: fixture('huge-schema.mjs', small), attestation, stdin, stdout, stderr: 'ignore', settings: { enforce: 'filter' }, limits: { maxListBytes: 100_000 } });
    const received: Array<Record<string, any>> = [];
    createInterface({ input: stdout }).on('line', (line) => received.push(JSON.parse(line) as Record<string, any>));
    stdin.write(`${JSON.stringify(INITIALIZE)}\n`);
    await until(() => received.find((m) => m.id === 1));
    stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })}\n`);
    const listed = await until(() => received.find((m) => m.id === 2));
    expect(listed.error).toMatchObject({ code: -31053, data: { code: 'UPSTREAM_FAILED', reason: expect.stringMatching(/tools\/list could not be read from the server: .*100000 bytes/) } });
    stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' })}\n`);
    expect(await until(() => received.find((m) => m.id === 3))).toHaveProperty('result');
    stdin.end();
    expect((await ended).reason).toBe('client');
  });
});
