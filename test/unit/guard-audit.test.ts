import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileAuditSink, GUARD_RPC_CODES, SessionRefusedError, toGuardError, ToolNotVerifiedError } from '../../src/index.js';

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
    const data = { code: 'TOOL_NOT_VERIFIED', server: 'acme', list: 'tools', key: 'get_weather', reason: 'not in the signed manifest' };
    const tool = toGuardError({ code: GUARD_RPC_CODES.notVerified, message: 'MCP error -32051: toolseal: no', data });
    expect(tool).toBeInstanceOf(ToolNotVerifiedError);
    expect(tool).toMatchObject({ code: 'TOOL_NOT_VERIFIED', key: 'get_weather', message: 'toolseal: no' });
    const refused = toGuardError({ code: GUARD_RPC_CODES.sessionRefused, message: 'refused', data: { ...data, code: 'SESSION_REFUSED' } });
    expect(refused).toBeInstanceOf(SessionRefusedError);
    const other = { code: -32602, message: 'bad params' };
    expect(toGuardError(other)).toBe(other);
  });
});
