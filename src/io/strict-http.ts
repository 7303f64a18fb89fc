import { CaptureError, InputError } from '../errors.js';
import { parseStrictJson } from './strict-json.js';

/** The `fetch` shape the MCP SDK transports take. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Longest JSON body or SSE event accepted from a server by default: 17 MiB (a 16 MiB list and its envelope). */
export const DEFAULT_MAX_HTTP_MESSAGE_BYTES = 17 * 1024 * 1024;

/**
 * Parses one JSON message a Streamable HTTP peer sent, as strictly as a stdio line: UTF-8
 * only, no duplicate keys, lone surrogates, non-finite numbers or excessive depth (see
 * `parseStrictJson`), so what toolseal checks is what every client parses.
 *
 * @throws CaptureError `SERVER_JSON_INVALID` naming `source`; the strict-JSON error is the cause
 */
export function parseStrictMessage(bytes: Uint8Array | string, source: string): unknown {
  let text: string;
  try {
    text = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (err) {
    throw new CaptureError('SERVER_JSON_INVALID', `${source} sent a message that is not UTF-8; toolseal closed the connection.`, { cause: err });
  }
  try {
    return parseStrictJson(text, source);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw new CaptureError('SERVER_JSON_INVALID', `${source} sent JSON that toolseal refuses (${err.code}): ${err.message}`, { cause: err });
  }
}

/**
 * Splits a `text/event-stream` body into events and hands each event's `data` (lines
 * joined with `\n`) to `onData`; comments, `event:`, `id:` and `retry:` lines carry no
 * message. An event longer than `maxBytes` fails the stream.
 */
export class SseReader {
  private buffer = '';
  private data: string[] = [];
  private size = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(private readonly onData: (data: string) => void, private readonly source: string, private readonly maxBytes = DEFAULT_MAX_HTTP_MESSAGE_BYTES) {}

  /** Feeds bytes; throws (CaptureError) on bytes that are not UTF-8, an oversized event, or what `onData` throws. */
  push(chunk: Uint8Array): void {
    try {
      this.buffer += this.decoder.decode(chunk, { stream: true });
    } catch (err) {
      throw new CaptureError('SERVER_JSON_INVALID', `${this.source} sent an event stream that is not UTF-8; toolseal closed the connection.`, { cause: err });
    }
    this.lines();
  }

  /** Ends the stream: a last event without its blank line is dispatched too. */
  end(): void {
    this.buffer += '\n';
    this.lines();
    this.dispatch();
  }

  private lines(): void {
    for (;;) {
      const at = this.buffer.search(/\r\n|\r|\n/);
      if (at < 0) break;
      // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
      if (this.buffer[at] === '\r' && at === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + (this.buffer.startsWith('\r\n', at) ? 2 : 1));
      this.line(line);
    }
    if (this.buffer.length + this.size > this.maxBytes) this.tooLarge();
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    this.size += value.length + 1;
    if (this.size > this.maxBytes) this.tooLarge();
    this.data.push(value);
  }

  private dispatch(): void {
    if (this.data.length === 0) return;
    const data = this.data.join('\n');
    this.data = [];
    this.size = 0;
    if (data !== '') this.onData(data);
  }

  private tooLarge(): never {
    throw new CaptureError('SERVER_MESSAGE_TOO_LARGE', `${this.source} sent an event longer than ${this.maxBytes} bytes; toolseal closed the connection.`);
  }
}

/**
 * Wraps `fetch` so that every JSON body and every SSE event a server sends is checked with
 * the strict reader before the SDK's transport (which uses `JSON.parse`) sees it: a body or
 * event with duplicate keys, lone surrogates or bytes that are not UTF-8 fails the request
 * (or ends the stream) instead of being read one way here and another way by a client.
 * Bytes are passed on unchanged, so what the SDK parses is exactly what was checked.
 * `onViolation` is told about a refused body or event (the request fails, the stream errors).
 */
export function strictFetch(source: string, inner: FetchLike = fetch, maxBytes = DEFAULT_MAX_HTTP_MESSAGE_BYTES, onViolation?: (err: Error) => void): FetchLike {
  return async (input, init) => {
    const res = await inner(input, init);
    const type = (res.headers.get('content-type') ?? '').toLowerCase();
    if (!res.body) return res;
    const init2 = { status: res.status, statusText: res.statusText, headers: res.headers };
    // A bad event ends the stream; the SDK only logs a broken stream, so `onViolation` lets the
    // caller fail the connection at once instead of waiting for a timeout.
    if (type.includes('text/event-stream')) return new Response(res.body.pipeThrough(checkedEvents(source, maxBytes, onViolation)), init2);
    if (type.includes('application/json')) {
      const bytes = await readLimited(res.body, maxBytes, source);
      try {
        if (bytes.length > 0) parseStrictMessage(bytes, source);
      } catch (err) {
        onViolation?.(err as Error);
        throw err;
      }
      return new Response(bytes, init2);
    }
    return res;
  };
}

function checkedEvents(source: string, maxBytes: number, onViolation?: (err: Error) => void): TransformStream<Uint8Array, Uint8Array> {
  const reader = new SseReader((data) => void parseStrictMessage(data, source), source, maxBytes);
  const guarded = (step: () => void): void => {
    try {
      step();
    } catch (err) {
      onViolation?.(err as Error);
      throw err;
    }
  };
  return new TransformStream({
    transform(chunk, controller) {
      guarded(() => reader.push(chunk));
      controller.enqueue(chunk);
    },
    flush() {
      guarded(() => reader.end());
    },
  });
}

/** Reads a whole body, failing once it passes `maxBytes`. */
export async function readLimited(body: ReadableStream<Uint8Array>, maxBytes: number, source: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) throw new CaptureError('SERVER_MESSAGE_TOO_LARGE', `${source} sent a body longer than ${maxBytes} bytes; toolseal closed the connection.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
