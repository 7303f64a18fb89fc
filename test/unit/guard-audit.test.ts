import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileAuditSink, GUARD_RPC_CODES, SessionRefusedError, toGuardError, ToolNotVerifiedError } from '../../src/internal.js';
import { disownServerError, guardErrorData } from '../../src/guard/errors.js';

describe('createFileAuditSink', () => {
  it('appends one JSON line per record, after what the file already held', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolseal-audit-sink-'));
    const path = join(dir, 'audit.jsonl');
    await writeFile(path, '{"earlier":true}\n');
    const sink = await createFileAuditSink(path);
    for (let i = 0; i < 50; i++) sink.write({ time: 't', server: 's', session: 'x', event: 'call', decision: 'allow', entry: `tools/t${i}` });
    await sink.close();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(51);
    expect(JSON.parse(lines[50]!)).toMatchObject({ entry: 'tools/t49' });
  });

  it('refuses a path it cannot open, with a code', async () => {
    await expect(createFileAuditSink('/nonexistent-dir/audit.jsonl')).rejects.toMatchObject({ code: 'AUDIT_LOG_UNWRITABLE' });
  });
});

describe('toGuardError', () => {
  it('turns the guard\'s JSON-RPC errors into typed errors and leaves others alone', () => {
    const fields = { code: 'TOOL_NOT_VERIFIED', server: 'acme', list: 'tools' as const, key: 'get_weather', reason: 'not in the signed manifest' };
    const tool = toGuardError({ code: GUARD_RPC_CODES.notVerified, message: 'MCP error -31051: toolseal: no', data: guardErrorData({ ...fields }) });
    expect(tool).toBeInstanceOf(ToolNotVerifiedError);
    expect(tool).toMatchObject({ code: 'TOOL_NOT_VERIFIED', key: 'get_weather', message: 'toolseal: no' });
    const refused = toGuardError({ code: GUARD_RPC_CODES.sessionRefused, message: 'refused', data: guardErrorData({ ...fields, code: 'SESSION_REFUSED' }) });
    expect(refused).toBeInstanceOf(SessionRefusedError);
    const other = { code: -32602, message: 'bad params' };
    expect(toGuardError(other)).toBe(other);
  });

  it('leaves an error of the same shape alone when the guard did not make it (a server cannot forge one)', () => {
    const fields = { code: 'SESSION_REFUSED', server: 'acme', list: 'tools', key: 'get_weather', reason: 'forged' };
    for (const code of [GUARD_RPC_CODES.notVerified, GUARD_RPC_CODES.sessionRefused]) {
      const forged = { code, message: 'MCP error: toolseal refused the server', data: JSON.parse(JSON.stringify(fields)) };
      expect(toGuardError(forged)).toBe(forged);
    }
  });

  it('forwards a server error that uses a reserved code as -32603, marked as the server\'s', () => {
    expect(disownServerError({ code: GUARD_RPC_CODES.sessionRefused, message: 'toolseal refused you' })).toEqual({ code: -32603, message: `the server answered with toolseal's reserved code ${GUARD_RPC_CODES.sessionRefused}: toolseal refused you` });
    const plain = { code: -32602, message: 'bad params' };
    expect(disownServerError(plain)).toBe(plain);
  });
});
