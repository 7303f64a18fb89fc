import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CaptureError } from '../../src/errors.js';
import { LineBuffer, LineWriter, readMessageLine } from '../../src/manifest/capture/lines.js';

const SERVER = '"node server.mjs"';

describe('LineBuffer', () => {
  const tooLong = () => new CaptureError('SERVER_MESSAGE_TOO_LARGE', 'too long');

  it('joins lines split across chunks and keeps an unfinished line for later', () => {
    const buf = new LineBuffer(100, tooLong);
    expect(buf.push(Buffer.from('{"a":')).map(String)).toEqual([]);
    expect(buf.push(Buffer.from('1}\n{"b":2}\n{"c"')).map(String)).toEqual(['{"a":1}', '{"b":2}']);
    expect(buf.push(Buffer.from(':3}\n')).map(String)).toEqual(['{"c":3}']);
  });

  it('refuses a line over the limit, whether it is still open or complete in one chunk', () => {
    const open = new LineBuffer(10, tooLong);
    open.push(Buffer.from('12345'));
    expect(() => open.push(Buffer.from('678901'))).toThrow('too long');
    const whole = new LineBuffer(10, tooLong);
    expect(() => whole.push(Buffer.from('12345678901\n'))).toThrow('too long');
    expect(new LineBuffer(10, tooLong).push(Buffer.from('1234567890\n')).map(String)).toEqual(['1234567890']);
  });
});

describe('LineWriter', () => {
  // A write completes at once, or (slow) on the next turn, so a small buffer fills up.
  const sink = (slow = false) => {
    const writes: string[] = [];
    const stream = new Writable({ highWaterMark: slow ? 1 : 1 << 20, write(chunk: Buffer, _enc, done) { writes.push(String(chunk)); if (slow) setImmediate(done); else done(); } });
    return { stream, writes };
  };

  it('writes the messages of one turn as one chunk, in order, and each later turn on its own', async () => {
    const { stream, writes } = sink();
    const writer = new LineWriter(stream);
    await Promise.all([1, 2, 3].map((id) => writer.send({ jsonrpc: '2.0', id, method: 'ping' })));
    await writer.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(writes).toEqual([
      '{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n{"jsonrpc":"2.0","id":3,"method":"ping"}\n',
      '{"jsonrpc":"2.0","method":"notifications/initialized"}\n',
    ]);
  });

  it('waits for drain when the stream is full, writes what is queued on flushNow, and refuses after the end', async () => {
    const { stream, writes } = sink(true);
    const writer = new LineWriter(stream);
    let settled = false;
    const sent = writer.send({ jsonrpc: '2.0', id: 1, method: 'ping' }).then(() => { settled = true; });
    await Promise.resolve();
    expect(settled).toBe(false); // the write returned false: resolved on drain, not before
    await sent;
    void writer.send({ jsonrpc: '2.0', id: 2, method: 'ping' });
    writer.flushNow();
    stream.end();
    expect(writes.join('')).toContain('"id":2');
    await expect(writer.send({ jsonrpc: '2.0', id: 3, method: 'ping' })).rejects.toThrow('Not connected');
  });
});

describe('readMessageLine', () => {
  const line = (text: string) => Buffer.from(text, 'utf8');
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as CaptureError).code;
    }
    return undefined;
  };

  it('passes a JSON-RPC message through with unknown fields, tolerating CRLF; a blank line is no message', () => {
    const message = readMessageLine(line('{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"a","xFuture":[1]}]}}\r'), SERVER);
    expect(message).toEqual({ jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'a', xFuture: [1] }] } });
    expect(readMessageLine(line('  \r'), SERVER)).toBeUndefined();
  });

  it('refuses bytes that are not UTF-8 instead of replacing them', () => {
    const bad = Buffer.concat([line('{"jsonrpc":"2.0","method":"x","params":{"t":"'), Buffer.from([0xff]), line('"}}')]);
    expect(codeOf(() => readMessageLine(bad, SERVER))).toBe('SERVER_JSON_INVALID');
  });

  it('names the server and the pointer of a duplicate key', () => {
    try {
      readMessageLine(line('{"jsonrpc":"2.0","id":1,"result":{"a":1,"a":2}}'), SERVER);
      expect.unreachable();
    } catch (err) {
      expect((err as CaptureError).code).toBe('SERVER_JSON_INVALID');
      expect((err as Error).message).toBe(`The MCP server ${SERVER} sent a message that has the key "a" twice in the object at /result (/result/a); duplicate keys are ambiguous and refused. Remove one of them. toolseal closed the connection (JSON_DUPLICATE_KEY); the server's output must be fixed.`);
    }
  });

  it('refuses JSON that is not a JSON-RPC message', () => {
    expect(codeOf(() => readMessageLine(line('{"hello":"world"}'), SERVER))).toBe('SERVER_MESSAGE_INVALID');
    expect(codeOf(() => readMessageLine(line('[1,2]'), SERVER))).toBe('SERVER_MESSAGE_INVALID');
  });
});
