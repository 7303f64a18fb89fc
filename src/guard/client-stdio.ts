import { deserializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CaptureError, type InputError } from '../errors.js';
import { readStrictJson } from '../io/strict-json.js';
import { LineBuffer, plainRequest, schemaFor } from '../manifest/capture/lines.js';
import { keepVerbatim } from '../manifest/capture/verbatim.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads one line the MCP client wrote to a stdio proxy's stdin. A message read strictly
 * (UTF-8, no duplicate keys, no lone surrogates: see `readStrictJson`) that the SDK's message
 * schema takes whole is stamped with its line (see `keepVerbatim`), so the proxy forwards to
 * the server the very bytes whose parse it checked. Any other line is read as the SDK's
 * `StdioServerTransport` reads it and is re-serialized when forwarded, as before: the server
 * then parses the guard's reading of it, whichever way its own parser would have read a
 * duplicate key. A blank line is no message (`undefined`).
 *
 * @throws what the SDK throws for a line that is not a JSON-RPC message (the transport reports it and reads on)
 */
export function readClientLine(line: Buffer): JSONRPCMessage | undefined {
  let text: string;
  try {
    text = UTF8.decode(line).replace(/\r$/, '');
  } catch {
    return deserializeMessage(line.toString('utf8').replace(/\r$/, ''));
  }
  if (text.trim() === '') return undefined;
  let read;
  try {
    read = readStrictJson(text, 'a message from the MCP client', 'id');
  } catch (err) {
    if ((err as InputError).code === 'JSON_INVALID') throw err;
    return deserializeMessage(text);
  }
  // A call, the most of what a client sends, skips the schema's copy (see plainRequest).
  const message = (read.protoMember ? undefined : plainRequest(read.value)) ?? (schemaFor(read.value).parse(read.value) as JSONRPCMessage);
  keepVerbatim(message, read.value as Record<string, unknown>, text, read.protoMember, read.span, line);
  return message;
}

/**
 * The client side of a stdio proxy: reads newline-delimited messages from `stdin` with
 * {@link readClientLine}, as the SDK's `StdioServerTransport` would (a line it cannot read is
 * reported to `onerror` and skipped), but a line longer than `maxLineBytes` stops the reader
 * and goes to `ontoolong`: the session ends. (The SDK's transport dropped its buffer past 10 MiB
 * and read on from the middle of the line.)
 * Writing to the client is the proxy's `LineWriter`, not this.
 */
export class ClientStdioReader {
  onmessage?: (message: JSONRPCMessage) => void;
  /** A line that is no JSON-RPC message (`line`), a message whose handling threw (`message`), or stdin failed (`stream`). */
  onerror?: (error: Error, what: 'line' | 'message' | 'stream') => void;
  /** The client sent a line longer than the limit (CaptureError `CLIENT_MESSAGE_TOO_LARGE`); the reader has stopped. */
  ontoolong?: (error: CaptureError) => void;
  private readonly lines: LineBuffer;
  private started = false;

  constructor(private readonly stdin: NodeJS.ReadableStream, maxLineBytes: number) {
    this.lines = new LineBuffer(maxLineBytes, () => new CaptureError('CLIENT_MESSAGE_TOO_LARGE', `The MCP client sent a message longer than ${maxLineBytes} bytes; toolseal ended the session.`));
  }

  /** Starts reading. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onStreamError);
  }

  /**
   * Holds reading while the server takes no more (`hold(true)`), so a client that writes
   * faster than the server reads fills its own pipe instead of the proxy's memory; `hold(false)`
   * reads on.
   */
  hold(held: boolean): void {
    if (held) this.stdin.pause();
    else if (this.started) this.stdin.resume();
  }

  /** Stops reading; stdin is paused when nothing else reads it, so the process can exit. */
  close(): void {
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onStreamError);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.lines.clear();
  }

  private readonly onData = (data: Buffer | string): void => {
    let lines: Buffer[];
    try {
      lines = this.lines.push(typeof data === 'string' ? Buffer.from(data) : data);
    } catch (err) {
      this.close();
      return this.ontoolong?.(err as CaptureError);
    }
    for (const line of lines) {
      let message: JSONRPCMessage | undefined;
      try {
        message = readClientLine(line);
      } catch (err) {
        this.onerror?.(err as Error, 'line');
        continue;
      }
      if (message === undefined) continue;
      // As the SDK's transport does: whatever handling one message throws is reported, and the
      // next line is still read (an uncaught throw here would end the proxy).
      try {
        this.onmessage?.(message);
      } catch (err) {
        this.onerror?.(err as Error, 'message');
      }
    }
  };

  private readonly onStreamError = (err: Error): void => {
    this.onerror?.(err, 'stream');
  };
}
