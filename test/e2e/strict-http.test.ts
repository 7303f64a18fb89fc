import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { captureServer, runStdioProxy, ToolsealError } from '../../src/index.js';
import { attest, fixture } from './guard.helpers.js';
import { SseReader, parseStrictMessage } from '../../src/io/strict-http.js';
import { FIXTURES } from './capture.helpers.js';

async function start(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(FIXTURES, 'http-duplicate-keys.mjs')], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (c: Buffer) => resolve((JSON.parse(c.toString()) as { port: number }).port)));
  return { url: `http://127.0.0.1:${port}/mcp`, child };
}

let json: { url: string; child: ChildProcess };
let sse: { url: string; child: ChildProcess };
beforeAll(async () => {
  [json, sse] = await Promise.all([start({}), start({ FIXTURE_SSE: '1' })]);
});
afterAll(() => {
  json?.child.stdin!.end();
  sse?.child.stdin!.end();
});

describe('Streamable HTTP is read as strictly as stdio', () => {
  for (const [kind, server] of [['a JSON body', () => json], ['an SSE event', () => sse]] as const) {
    it(`capture refuses a tools/list whose tool has "description" twice in ${kind}`, async () => {
      const err = await captureServer({ kind: 'http', url: server().url }, { protocolEra: 'legacy' }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ToolsealError);
      expect(String((err as Error).message)).toMatch(/the key "description" twice|JSON_DUPLICATE_KEY/);
    });
  }

  it('the SSE reader joins data lines, skips comments and ids, and refuses an event that is not strict JSON', () => {
    const seen: unknown[] = [];
    const reader = new SseReader((data) => seen.push(parseStrictMessage(data, 'the server')), 'the server');
    reader.push(new TextEncoder().encode(': keep-alive\r\nid: 1\r\nevent: message\r\ndata: {"a":\r\ndata: 1}\r\n\r\n'));
    expect(seen).toEqual([{ a: 1 }]);
    let duplicate: unknown;
    try {
      reader.push(new TextEncoder().encode('data: {"a":1,"a":2}\n\n'));
    } catch (err) {
      duplicate = err;
    }
    expect(duplicate).toMatchObject({ code: 'SERVER_JSON_INVALID' });
    expect((duplicate as Error).message).toMatch(/twice/);
    expect(() => parseStrictMessage(new Uint8Array([0x7b, 0xff, 0x7d]), 'the server')).toThrow(expect.objectContaining({ code: 'SERVER_JSON_INVALID' }));
    expect(() => parseStrictMessage(new Uint8Array([0x7b, 0xff, 0x7d]), 'the server')).toThrow(/not UTF-8/);
  });

  for (const [kind, server] of [['a JSON body', () => json], ['an SSE event', () => sse]] as const) {
    it(`the proxy's HTTP upstream: duplicate keys in ${kind} end the session with SERVER_JSON_INVALID, never a verified list`, async () => {
      const attestation = await attest(fixture('mrtr.mjs'));
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      const ended = runStdioProxy({ upstream: { kind: 'http', url: server().url }, attestation, stdin, stdout });
      stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } })}\n`);
      const end = await ended;
      expect(end.reason).not.toBe('client');
      expect((end.error as ToolsealError | undefined)?.code).toBe('SERVER_JSON_INVALID');
    }, 30_000);
  }
});
