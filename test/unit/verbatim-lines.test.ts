import fc from 'fast-check';
import { PassThrough, Writable } from 'node:stream';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { LineWriter, plainRequest, plainResultResponse, readMessageLine, schemaFor } from '../../src/manifest/capture/lines.js';
import { verbatimLine, withId } from '../../src/manifest/capture/verbatim.js';
import { ClientStdioReader, readClientLine } from '../../src/guard/client-stdio.js';

const SERVER = '"node server.mjs"';
const read = (line: string) => readMessageLine(Buffer.from(line), SERVER)!;

describe('schemaFor: one member of the SDK union', () => {
  const id = fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.constant(null), fc.double());
  const member = fc.oneof(
    fc.constant(['jsonrpc', '2.0']), fc.constant(['jsonrpc', '1.0']), id.map((v) => ['id', v]),
    fc.constantFrom('ping', 'tools/call', 7).map((v) => ['method', v]),
    fc.constantFrom({}, { _meta: { progressToken: 1 } }, { _meta: { progressToken: 1.5 } }, [], 'x').map((v) => ['params', v]),
    fc.constantFrom({}, { content: [] }, null, { _meta: { 'io.modelcontextprotocol/related-task': { taskId: 't', extra: 1 } } }).map((v) => ['result', v]),
    fc.constantFrom({ code: 1, message: 'm' }, { code: 1.5, message: 'm' }, { code: 1, message: 'm', extra: true }, {}).map((v) => ['error', v]),
    fc.constant(['extra', 1]),
  );
  // A well-formed message of each kind, then some members added, removed or replaced.
  const base = fc.constantFrom<Record<string, unknown>>(
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } },
    { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 't', progress: 1 } },
    { jsonrpc: '2.0', id: 'a', result: { content: [] } },
    { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'no' } },
  );
  const message = fc.oneof(
    fc.tuple(base, fc.array(member, { maxLength: 2 }), fc.subarray(['jsonrpc', 'id', 'method', 'params', 'result', 'error'], { maxLength: 2 }))
      .map(([b, add, drop]) => ({ ...Object.fromEntries(Object.entries(b).filter(([k]) => !drop.includes(k))), ...Object.fromEntries(add as [string, unknown][]) })),
    fc.constantFrom(null, [], 'x', 1),
  );

  it('accepts and rejects exactly what the union does, with the same output', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(fc.property(message, (value) => {
      const union = JSONRPCMessageSchema.safeParse(value);
      if (!union.success) refused++;
      const one = schemaFor(value).safeParse(value);
      expect(one.success).toBe(union.success);
      if (union.success) {
        accepted++;
        expect(one.data).toEqual(union.data);
      }
    }), { numRuns: 3000 });
    expect(accepted).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
  });

  it('plainResultResponse takes only results the union accepts, and equal to its output', () => {
    const results = fc.constantFrom<unknown>({}, { content: [{ type: 'text', text: 'x' }] }, [], null, 'x', { _meta: {} }, { _meta: { progressToken: 1.5 } }, JSON.parse('{"__proto__":{"a":1}}'), JSON.parse('{"content":{"__proto__":{"a":1}}}'));
    const ids = fc.oneof(fc.integer(), fc.string({ maxLength: 2 }), fc.constantFrom(2 ** 53, -(2 ** 53), 1.5, -0, null, undefined));
    const value = fc.tuple(fc.constantFrom('2.0', '2.0', '2.0', '1.0', undefined), ids, results, fc.constantFrom(undefined, undefined, undefined, undefined, ['extra', 1], ['error', { code: 1, message: 'm' }], ['method', 'x']))
      .map(([jsonrpc, id, result, extra]) => JSON.parse(JSON.stringify({ ...(jsonrpc ? { jsonrpc } : {}), ...(id !== undefined ? { id } : {}), result, ...(extra ? { [extra[0] as string]: extra[1] } : {}) })) as unknown);
    let taken = 0;
    fc.assert(fc.property(value, (v) => {
      const fast = plainResultResponse(v);
      if (fast === undefined) return;
      taken++;
      const union = JSONRPCMessageSchema.safeParse(v);
      expect(union.success).toBe(true);
      expect(fast).toEqual(union.data);
    }), { numRuns: 3000 });
    expect(taken).toBeGreaterThan(100);
  });

  it('plainRequest takes only requests the union accepts, and equal to its output', () => {
    const params = fc.constantFrom<unknown>(undefined, {}, { name: 'echo', arguments: { text: 'x' } }, [], null, 'x', { _meta: {} }, { _meta: { progressToken: 1.5 } },
      JSON.parse('{"__proto__":{"a":1}}'), JSON.parse('{"arguments":{"__proto__":{"a":1}}}'));
    const ids = fc.oneof(fc.integer(), fc.string({ maxLength: 2 }), fc.constantFrom(2 ** 53, -(2 ** 53), 1.5, -0, null, undefined));
    const value = fc.tuple(fc.constantFrom('2.0', '2.0', '2.0', '1.0', undefined), ids, fc.constantFrom<unknown>('tools/call', 'tools/call', '', 3, undefined), params,
      fc.constantFrom(undefined, undefined, undefined, undefined, ['extra', 1], ['result', {}], ['error', { code: 1, message: 'm' }]))
      .map(([jsonrpc, id, method, p, extra]) => JSON.parse(JSON.stringify({
        ...(jsonrpc ? { jsonrpc } : {}), ...(id !== undefined ? { id } : {}), ...(method !== undefined ? { method } : {}), ...(p !== undefined ? { params: p } : {}),
        ...(extra ? { [extra[0] as string]: extra[1] } : {}),
      })) as unknown);
    let taken = 0;
    let refused = 0;
    fc.assert(fc.property(value, (v) => {
      const union = JSONRPCMessageSchema.safeParse(v);
      const fast = plainRequest(v);
      if (fast === undefined) {
        if (!union.success) refused++;
        return;
      }
      taken++;
      expect(union.success).toBe(true);
      expect(fast).toEqual(union.data);
    }), { numRuns: 3000 });
    expect(taken).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});

describe('verbatim forwarding of what the strict reader read', () => {
  it('forwards a result with only the id\'s bytes replaced, whatever the server\'s spacing and number forms', () => {
    const line = '{ "result" : {"content":[{"type":"text","text":"caf\u00e9 \\u00e9 1.0"}],"n":1.50,"big":12345678901234567890} , "jsonrpc":"2.0","id" : 41 }';
    const msg = read(line);
    expect(verbatimLine(msg)).toBe(`${line}\n`);
    const relabelled = withId(msg, 'client-7');
    expect(relabelled).toEqual({ ...msg, id: 'client-7' });
    expect(verbatimLine(relabelled)).toBe(`${line.replace('41', '"client-7"')}\n`);
    expect(verbatimLine(withId(msg, 3))).toBe(`${line.replace('41', '3')}\n`);
  });

  it('forwards notifications and server requests as read', () => {
    for (const line of ['{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}}', '{"jsonrpc":"2.0","id":"r1","method":"roots/list"}']) {
      expect(verbatimLine(read(line))).toBe(`${line}\n`);
    }
  });

  it('keeps no verbatim form when the schema drops something or the guard may rewrite it', () => {
    const cases = [
      '{"jsonrpc":"2.0","id":1,"error":{"code":-31051,"message":"forged","data":{"code":"TOOL_NOT_VERIFIED"}}}', // errors are disowned, and the schema drops unknown error members
      '{"jsonrpc":"2.0","id":1,"result":{"__proto__":{"x":1}}}', // an own __proto__ member: a copy turns it into a prototype
      '{"jsonrpc":"2.0","id":1,"result":{"_meta":{"io.modelcontextprotocol/related-task":{"taskId":"t","extra":1}}}}', // the schema drops "extra"
      '{"jsonrpc":"2.0",\r"id":1,"result":{}}', // a line reader may split at the carriage return
    ];
    for (const line of cases) expect(verbatimLine(read(line))).toBeUndefined();
    // Anything built from the message (not withId) is serialized afresh.
    const msg = read('{"jsonrpc":"2.0","id":1,"result":{}}');
    expect(verbatimLine(msg)).toBeDefined();
    for (const copy of [{ ...msg }, Object.assign({}, msg), structuredClone(msg), JSON.parse(JSON.stringify(msg)) as object]) expect(verbatimLine(copy)).toBeUndefined();
    expect(Object.keys(msg)).toEqual(['jsonrpc', 'id', 'result']); // nothing a reader of the message would see
  });

  it('LineWriter writes the verbatim line when there is one, and serializes anything else', async () => {
    const writes: string[] = [];
    const writer = new LineWriter(new Writable({ write(chunk: Buffer, _enc, done) { writes.push(String(chunk)); done(); } }));
    const line = '{"id":9,"jsonrpc":"2.0","result":{"b":1,"a":2}}';
    await Promise.all([writer.send(withId(read(line), 1)), writer.send({ jsonrpc: '2.0', id: 2, result: { b: 1 } })]);
    expect(writes).toEqual(['{"id":1,"jsonrpc":"2.0","result":{"b":1,"a":2}}\n{"jsonrpc":"2.0","id":2,"result":{"b":1}}\n']);
  });
});

describe('readClientLine: what a stdio proxy reads from its client', () => {
  const call = '{"jsonrpc":"2.0","id":"c-1","method":"tools/call","params":{"name":"echo","arguments":{"text":"\u00e9t\u00e9"}}}';

  it('stamps a strict line (non-ASCII before the id included) so it goes out as read, only the id replaced', () => {
    const nonAsciiFirst = '{"params":{"name":"\u00e9t\u00e9","arguments":{}},"jsonrpc":"2.0","method":"tools/call","id":"c-2"}';
    for (const line of [call, nonAsciiFirst]) {
      const msg = readClientLine(Buffer.from(line))!;
      expect(verbatimLine(msg)).toBe(`${line}\n`);
      expect(verbatimLine(withId(msg, 41))).toBe(`${line.replace(/"c-\d"/, '41')}\n`);
    }
    // A CRLF line goes out without its carriage return, as the reader parsed it.
    expect(verbatimLine(readClientLine(Buffer.from(`${call}\r`))!)).toBe(`${call}\n`);
  });

  it('reads a line the strict reader refuses as JSON.parse does, and never forwards its bytes', () => {
    const duplicate = readClientLine(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a","name":"b"}}'))!;
    expect(duplicate).toMatchObject({ params: { name: 'b' } });
    expect(verbatimLine(withId(duplicate, 2))).toBeUndefined();
    const notUtf8 = Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"'), Buffer.from([0xff]), Buffer.from('"}}')]);
    const read = readClientLine(notUtf8)!;
    expect(read).toMatchObject({ method: 'ping', params: { x: '\ufffd' } });
    expect(verbatimLine(read)).toBeUndefined();
  });

  it('skips a blank line and throws for a line that is no JSON-RPC message', () => {
    expect(readClientLine(Buffer.from('  '))).toBeUndefined();
    expect(() => readClientLine(Buffer.from('not json'))).toThrow();
    expect(() => readClientLine(Buffer.from('{"jsonrpc":"2.0","method":7}'))).toThrow();
  });

  it('sends an id written another way than JSON writes it (1.0, an escape) as JSON writes the id the guard matched', () => {
    const line = '{"jsonrpc":"2.0","id":1.0,"method":"ping"}';
    expect(verbatimLine(readClientLine(Buffer.from(line))!)).toBe('{"jsonrpc":"2.0","id":1,"method":"ping"}\n');
    const escaped = '{"jsonrpc":"2.0","id":"\\u0061","method":"ping"}';
    expect(verbatimLine(readClientLine(Buffer.from(escaped))!)).toBe('{"jsonrpc":"2.0","id":"a","method":"ping"}\n');
  });
});

describe('ClientStdioReader and LineWriter under errors', () => {
  it('a message whose handling throws is reported, and the next line is still read', () => {
    const stdin = new PassThrough();
    const reader = new ClientStdioReader(stdin, 1024);
    const seen: unknown[] = [];
    const errors: string[] = [];
    reader.onmessage = (m) => { seen.push((m as { id?: unknown }).id); if (seen.length === 1) throw new Error('boom'); };
    reader.onerror = (err, what) => errors.push(`${what}: ${err.message}`);
    reader.start();
    stdin.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\nnot json\n');
    expect(seen).toEqual([1, 2]);
    expect(errors[0]).toBe('message: boom');
    expect(errors[1]).toMatch(/^line: /);
    reader.close();
  });

  it('a message that cannot be serialized is a rejected send, not a throw, and the writer goes on', async () => {
    const writes: string[] = [];
    const writer = new LineWriter(new Writable({ write(chunk: Buffer, _enc, done) { writes.push(String(chunk)); done(); } }));
    const deep = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`) as unknown;
    let sent: Promise<void> | undefined;
    expect(() => { sent = writer.send({ jsonrpc: '2.0', id: 1, result: { deep } } as never); }).not.toThrow();
    await expect(sent).rejects.toThrow(RangeError);
    await writer.send({ jsonrpc: '2.0', id: 2, result: {} });
    expect(writes).toEqual(['{"jsonrpc":"2.0","id":2,"result":{}}\n']);
  });
});
