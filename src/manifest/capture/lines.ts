import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import {
  JSONRPCErrorResponseSchema, JSONRPCMessageSchema, JSONRPCNotificationSchema, JSONRPCRequestSchema, JSONRPCResultResponseSchema, type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { CaptureError, InputError } from '../../errors.js';
import { readStrictJson } from '../../io/strict-json.js';
import { escapeTerminal } from '../../io/terminal.js';
import { copyVerbatim, keepVerbatim, verbatimByteLength, verbatimOf, type Verbatim } from './verbatim.js';

/**
 * Splits a byte stream into newline-terminated lines, never holding more than
 * `maxLineBytes` of one line: a server cannot make the reader buffer without bound.
 */
export class LineBuffer {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxLineBytes: number, private readonly tooLong: () => Error) {}

  /**
   * Appends a chunk and returns the lines it completed (without the newline).
   * @throws the `tooLong` error once a line exceeds `maxLineBytes`
   */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      this.check(piece.length);
      lines.push(this.size === 0 ? piece : Buffer.concat([...this.parts, piece]));
      this.clear();
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      this.check(rest.length);
      this.parts.push(rest);
      this.size += rest.length;
    }
    return lines;
  }

  /** Drops a partial line. */
  clear(): void {
    this.parts = [];
    this.size = 0;
  }

  private check(more: number): void {
    if (this.size + more > this.maxLineBytes) {
      this.clear();
      throw this.tooLong();
    }
  }
}

/**
 * Writes JSON-RPC messages as newline-terminated lines to a stream, in order, and joins the
 * messages sent in one turn of the event loop into one `write`. A proxy relays a chunk of
 * many messages at once; one write per message cost a system call each (a pipe to a child
 * or stdout on Linux is written synchronously) and woke the reader each time: under load
 * that was a quarter of the proxy's CPU. The join happens in a microtask, before any I/O,
 * so a lone message is not delayed. (Joining a whole event-loop iteration in `setImmediate`
 * was measured too: no fewer CPU per call, and a lone message waits for the check phase.)
 */
export class LineWriter {
  /** Lines serialized here, and lines forwarded as read (see `verbatimOf`). */
  private queued: (string | Verbatim)[] = [];
  private flushed: Promise<void> | undefined;
  private drained: Promise<void> | undefined;

  /**
   * @param onFull - told `true` when the stream takes no more for now (its buffer is past its
   *   high-water mark) and `false` once it drained: a proxy pauses what it reads from meanwhile,
   *   so a peer that stops reading cannot make it buffer without bound.
   */
  constructor(private readonly stream: NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean }, private readonly onFull?: (full: boolean) => void) {}

  /** Queues `message`; resolves once its batch was handed to the stream (after `drain` when the stream is full). */
  send(message: JSONRPCMessage): Promise<void> {
    if (this.stream.destroyed || this.stream.writableEnded) return Promise.reject(new Error('Not connected'));
    // A message read strictly and passed on unchanged goes out as the bytes it was read from.
    const verbatim = verbatimOf(message);
    if (verbatim === undefined) {
      let line: string;
      try {
        line = serializeMessage(message);
      } catch (err) {
        // JSON.stringify of a value nested too deep throws: a failed send, not a thrown caller.
        return Promise.reject(err as Error);
      }
      this.queued.push(line);
    } else {
      this.queued.push(verbatim);
    }
    this.flushed ??= Promise.resolve().then(this.flush);
    return this.flushed;
  }

  /** Writes what is queued now (before the stream is ended, so nothing sent is lost). */
  flushNow(): void {
    if (this.queued.length === 0 || this.stream.destroyed || this.stream.writableEnded) return;
    const queued = this.queued;
    // Taken off the queue first: a batch that cannot be joined fails once, not every later batch with it.
    this.queued = [];
    const only = queued.length === 1 ? queued[0] : undefined;
    const data = typeof only === 'string' ? only : joinBytes(queued);
    if (!this.stream.write(data) && this.drained === undefined) {
      // Many senders may wait for one drain; share it rather than add a listener each.
      this.drained = new Promise<void>((resolve) => this.stream.once('drain', () => {
        this.drained = undefined;
        this.onFull?.(false);
        resolve();
      }));
      this.onFull?.(true);
    }
  }

  /** Not async: `then` adopts the drain promise it returns, without a promise of its own. */
  private readonly flush = (): Promise<void> | undefined => {
    this.flushed = undefined;
    if (this.queued.length > 0 && (this.stream.destroyed || this.stream.writableEnded)) {
      this.queued = [];
      throw new Error('Not connected');
    }
    this.flushNow();
    return this.drained;
  };
}

/** One buffer of every queued line, in order: serialized ones encoded, verbatim ones copied as read (one write, one copy of each). */
function joinBytes(queued: (string | Verbatim)[]): Buffer {
  let size = 0;
  for (const q of queued) size += typeof q === 'string' ? Buffer.byteLength(q) : verbatimByteLength(q);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const q of queued) at = typeof q === 'string' ? at + out.write(q, at) : copyVerbatim(q, out, at);
  // The buffer is not zeroed: a line must never go out with bytes it does not own.
  if (at !== size) throw new Error(`toolseal: ${at} bytes were joined for a batch of ${size}; nothing was written.`);
  return out;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads one line a stdio MCP server wrote as a JSON-RPC message, refusing what
 * `JSON.parse` would silently accept (DESIGN §2): bytes that are not UTF-8, duplicate
 * keys, lone surrogates, non-finite numbers, excessive nesting. A blank line is no
 * message (`undefined`). With `onNotJson`, a line that is not JSON at all (a log line such
 * as `[WARN] No configuration file found`) is handed to it and skipped (`undefined`), as
 * MCP clients skip it: no client can read a message from it, so nothing is hidden by
 * skipping. A line that *is* JSON but breaks a strict rule is still refused: a loose
 * client would read it, and perhaps differently.
 *
 * @param server - the server as named in messages (see `describeTarget`)
 * @param onNotJson - called with a note (no content of the line) when a line is skipped
 * @throws CaptureError `SERVER_JSON_INVALID` (the strict-JSON code and pointer are in
 *   the message; the InputError is the cause) or `SERVER_MESSAGE_INVALID` (JSON, but not
 *   a JSON-RPC message)
 */
export function readMessageLine(line: Buffer, server: string, onNotJson?: (note: string) => void): JSONRPCMessage | undefined {
  let text: string;
  try {
    text = UTF8.decode(line).replace(/\r$/, '');
  } catch (err) {
    throw new CaptureError('SERVER_JSON_INVALID', `The MCP server ${server} wrote a line to stdout that is not valid UTF-8; toolseal does not guess what it meant and closed the connection. The server's output must be fixed.`, { cause: err });
  }
  if (text.trim() === '') return undefined;
  const source = `a message from the MCP server ${server}`;
  let read;
  try {
    read = readStrictJson(text, source, 'id');
  } catch (err) {
    if (onNotJson && (err as InputError).code === 'JSON_INVALID') {
      // The line may hold anything a server logs (a key, a path): only its size is said.
      onNotJson(`the MCP server ${server} wrote a line to stdout that is not JSON (${line.length} bytes); skipped it, as MCP clients do. Logs belong on stderr.`);
      return undefined;
    }
    throw strictFailure(err as InputError, server, source);
  }
  // Most lines are results the schema would copy member by member: take those as they are.
  let message = read.protoMember ? undefined : plainResultResponse(read.value);
  if (message === undefined) {
    const parsed = schemaFor(read.value).safeParse(read.value);
    if (!parsed.success) {
      throw new CaptureError('SERVER_MESSAGE_INVALID', `The MCP server ${server} sent JSON on stdout that is not a JSON-RPC 2.0 message; toolseal closed the connection. A stdio server's stdout must carry only protocol messages (logs belong on stderr).`, { cause: parsed.error });
    }
    message = parsed.data;
  }
  keepVerbatim(message, read.value as Record<string, unknown>, text, read.protoMember, read.span, line);
  return message;
}

/**
 * `value` itself when it is a result response the SDK schema accepts and would return equal
 * (a JSON object with exactly `jsonrpc: "2.0"`, a string or safe-integer `id`, and an object
 * `result` without `_meta` or an own `__proto__` member, which the schema's copy would turn
 * into a prototype; deeper values it keeps as they are), else undefined: then the
 * schema decides. It saves the schema's member-by-member copy of every result; the test holds
 * its answers to the schema's.
 */
export function plainResultResponse(value: unknown): JSONRPCMessage | undefined {
  const v = plainEnvelope(value, RESULT_MEMBERS);
  return v !== undefined && plainBody(v.result) ? (value as JSONRPCMessage) : undefined;
}

/**
 * `value` itself when it is a request the SDK schema accepts and would return equal (exactly
 * `jsonrpc: "2.0"`, a string or safe-integer `id`, a string `method` and, if any, an object
 * `params` without `_meta` or an own `__proto__` member), else undefined: then the schema
 * decides. What a client sends most, a call, then skips the schema's copy; the test holds
 * its answers to the schema's.
 */
export function plainRequest(value: unknown): JSONRPCMessage | undefined {
  const v = plainEnvelope(value, REQUEST_MEMBERS);
  return v !== undefined && typeof v.method === 'string' && (!('params' in v) || plainBody(v.params)) ? (value as JSONRPCMessage) : undefined;
}

const RESULT_MEMBERS: ReadonlySet<string> = new Set(['jsonrpc', 'id', 'result']);
const REQUEST_MEMBERS: ReadonlySet<string> = new Set(['jsonrpc', 'id', 'method', 'params']);

/** `value` as a record when it is a JSON object with only `allowed` members, `jsonrpc: "2.0"` and a string or safe-integer `id`. */
function plainEnvelope(value: unknown, allowed: ReadonlySet<string>): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  for (const key in v) if (!allowed.has(key)) return undefined;
  return v.jsonrpc === '2.0' && (typeof v.id === 'string' || Number.isSafeInteger(v.id)) ? v : undefined;
}

/** An object (not an array) without `_meta` or an own `__proto__` member: what the schema's loose copy returns equal. */
function plainBody(body: unknown): boolean {
  return body !== null && typeof body === 'object' && !Array.isArray(body) && !('_meta' in body) && !Object.hasOwn(body, '__proto__');
}

/**
 * The one member of the SDK's `JSONRPCMessageSchema` union that can accept `value`, so a
 * response is not first tried (and its failures built) as a request and a notification.
 * The union's members are strict objects: one with `method` can only be a request (with
 * `id`) or a notification (without); one without can only be a result response (with
 * `result`) or an error response. The verdict is the union's; the test holds them equal.
 */
export function schemaFor(value: unknown): typeof JSONRPCMessageSchema | typeof JSONRPCRequestSchema | typeof JSONRPCNotificationSchema | typeof JSONRPCResultResponseSchema | typeof JSONRPCErrorResponseSchema {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return JSONRPCMessageSchema;
  if ('method' in value) return 'id' in value ? JSONRPCRequestSchema : JSONRPCNotificationSchema;
  return 'result' in value ? JSONRPCResultResponseSchema : JSONRPCErrorResponseSchema;
}

function strictFailure(err: InputError, server: string, source: string): CaptureError {
  if (err.code === 'JSON_INVALID') {
    const reason = clip((err.cause as Error | undefined)?.message ?? 'unparseable');
    return new CaptureError('SERVER_JSON_INVALID', `The MCP server ${server} wrote a line to stdout that is not JSON (${reason}); toolseal closed the connection. A stdio server's stdout must carry only protocol messages (logs belong on stderr).`, { cause: err });
  }
  // The strict reader names the source first; say it once, as "sent a message that ...".
  const rest = err.message.startsWith(source) ? err.message.slice(source.length).trimStart() : err.message;
  return new CaptureError('SERVER_JSON_INVALID', `The MCP server ${server} sent a message that ${rest} toolseal closed the connection (${err.code}); the server's output must be fixed.`, { cause: err });
}

/** Shortens V8's parse message (it quotes the server's text) and escapes what a terminal would act on. */
function clip(text: string, max = 160): string {
  const short = text.length > max ? `${text.slice(0, max)}…` : text;
  return escapeTerminal(short);
}
