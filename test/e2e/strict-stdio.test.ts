import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureError, InputError, resolveLaunch, StrictStdioClientTransport, type ServerTarget } from '../../src/internal.js';
import { groupAlive, processAlive } from '../../src/manifest/capture/process.js';
import { capture, expectCode, expectNoOrphans, FIXTURES, fixtureTarget, toolNames } from './capture.helpers.js';

/** A fixture started through launcher.mjs, which spawns it as a grandchild and records its pid. */
function launched(script: string, env: Record<string, string> = {}): { target: ServerTarget; grandchild: () => number } {
  const pidFile = join(mkdtempSync(join(tmpdir(), 'toolseal-launcher-')), 'pid');
  return {
    target: { kind: 'stdio', command: process.execPath, args: [join(FIXTURES, 'launcher.mjs'), join(FIXTURES, script)], ...resolveLaunch({ env: { FIXTURE_PID_FILE: pidFile, ...env } }) },
    grandchild: () => Number(readFileSync(pidFile, 'utf8')),
  };
}

describe('strict stdio: what JSON.parse would silently accept is refused', () => {
  it('a tools/list result with "description" twice in one tool fails with SERVER_JSON_INVALID', async () => {
    const out = await capture(fixtureTarget('duplicate-keys.mjs'));
    const err = expectCode(out, 'SERVER_JSON_INVALID');
    expect(err).toBeInstanceOf(CaptureError);
    expect(err.message).toContain('duplicate-keys.mjs');
    expect(err.message).toContain('the key "description" twice in the object at /result/tools/0');
    expect(err.message).toContain('JSON_DUPLICATE_KEY');
    expect((err.cause as InputError).code).toBe('JSON_DUPLICATE_KEY');
    // Neither of the two descriptions was taken.
    expect(err.message).not.toContain('id_rsa');
    expectNoOrphans(out);
  });

  const faults: Array<[string, string, RegExp]> = [
    ['lone-surrogate', 'JSON_LONE_SURROGATE', /unpaired UTF-16 surrogate at \/result\/tools\/0\/description/],
    ['non-finite', 'JSON_NON_FINITE', /1e400 at \/result\/tools\/0\/inputSchema\/maximum/],
  ];
  for (const [fault, code, text] of faults) {
    it(`${fault}: refused with SERVER_JSON_INVALID (${code})`, async () => {
      const out = await capture(fixtureTarget('duplicate-keys.mjs', { FIXTURE_FAULT: fault }));
      const err = expectCode(out, 'SERVER_JSON_INVALID');
      expect(err.message).toMatch(text);
      expect(err.message).toContain('duplicate-keys.mjs');
      expect((err.cause as InputError).code).toBe(code);
      expectNoOrphans(out);
    });
  }

  it('a JSON line that is no JSON-RPC message (a structured log on stdout) is refused with SERVER_MESSAGE_INVALID', async () => {
    const out = await capture(fixtureTarget('duplicate-keys.mjs', { FIXTURE_FAULT: 'json-log' }));
    expect(expectCode(out, 'SERVER_MESSAGE_INVALID').message).toContain('not a JSON-RPC 2.0 message');
    expectNoOrphans(out);
  });

  it('the refusal closes the connection: the pending request fails as closed, not by timeout', async () => {
    const transport = new StrictStdioClientTransport({ command: process.execPath, args: [join(FIXTURES, 'duplicate-keys.mjs')], stderr: 'ignore' });
    const errors: Error[] = [];
    const client = new Client({ name: 'strict-test', version: '1.0.0' }, { capabilities: {} });
    await client.connect(transport);
    const pid = transport.pid!;
    client.onerror = (err) => errors.push(err);
    const failure = await client.listTools(undefined, { timeout: 60_000 }).then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(McpError);
    expect((failure as McpError).code).toBe(ErrorCode.ConnectionClosed);
    expect(errors.map((e) => (e as CaptureError).code)).toContain('SERVER_JSON_INVALID');
    // The SDK client lets go of a transport once it reported closing, so close it directly.
    await transport.close();
    expect(processAlive(pid)).toBe(false);
    expect(groupAlive(pid)).toBe(false);
  });

  it('a well-formed server reads exactly as before (pagination, unknown fields)', async () => {
    const out = await capture(fixtureTarget('paginated.mjs'));
    expect(out.error).toBeUndefined();
    expect(toolNames(out.manifest)).toEqual(['add_note', 'tool_000', 'tool_001', 'tool_003', 'tool_004', 'tool_005']);
    expectNoOrphans(out);
  });
});

describe('strict stdio: lines that are not JSON at all are skipped, as MCP clients do', () => {
  it('a server that logs on stdout is captured, with one note per line that does not repeat it', async () => {
    const notes: string[] = [];
    const out = await capture(fixtureTarget('noisy-stdout.mjs'), { onNote: (note) => notes.push(note) });
    expect(out.error).toBeUndefined();
    expect(toolNames(out.manifest)).toEqual(['echo']);
    // The start-up warning and one line before each tools/list (capture lists once).
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/noisy-stdout\.mjs" wrote a line to stdout that is not JSON \(\d+ bytes\); skipped it/);
    expect(notes.join('\n')).not.toContain('sk-noise');
    expectNoOrphans(out);
  });

  it('says at most ten notes and then one that it stops', async () => {
    const notes: string[] = [];
    const out = await capture(fixtureTarget('noisy-stdout.mjs', { FIXTURE_NOISE_LINES: '50' }), { onNote: (note) => notes.push(note) });
    expect(toolNames(out.manifest)).toEqual(['echo']);
    expect(notes).toHaveLength(11);
    expect(notes[10]).toContain('further ones are skipped without a note');
  });
});

describe('strict stdio: the server is ended with its whole process group', () => {
  it('a launcher and the grandchild server it spawned are both gone after capture, though both ignore SIGTERM and the server ignores stdin EOF', async () => {
    const run = launched('paginated.mjs', { FIXTURE_STUBBORN: '1' });
    const out = await capture(run.target);
    expect(out.error).toBeUndefined();
    expect(toolNames(out.manifest)).toHaveLength(6);
    const grandchild = run.grandchild();
    expect(grandchild).not.toBe(out.pids[0]);
    expectNoOrphans(out);
    expect(processAlive(grandchild), `grandchild ${grandchild} is still running`).toBe(false);
    expect(groupAlive(out.pids[0]!)).toBe(false);
  });

  it('a refused grandchild is ended as well', async () => {
    const run = launched('duplicate-keys.mjs', { FIXTURE_STUBBORN: '1' });
    const out = await capture(run.target);
    expect(expectCode(out, 'SERVER_JSON_INVALID').message).toContain('launcher.mjs');
    expectNoOrphans(out);
    expect(processAlive(run.grandchild())).toBe(false);
  });

  it('a grandchild that timed out is ended as well', async () => {
    const run = launched('silent.mjs', { FIXTURE_STUBBORN: '1' });
    const out = await capture(run.target, { requestTimeoutMs: 1500 });
    expectCode(out, 'SERVER_TIMEOUT');
    expectNoOrphans(out);
    expect(processAlive(run.grandchild())).toBe(false);
  });
});
