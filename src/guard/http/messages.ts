import type { IncomingMessage, ServerResponse } from 'node:http';
import { InputError } from '../../errors.js';
import { parseStrictJson } from '../../io/strict-json.js';
import type { RpcId } from '../rpc.js';

/** A request the proxy refuses before anything is spawned or forwarded. */
export class HttpRefusal extends Error {
  constructor(readonly status: number, message: string, readonly rpcCode = -32000, readonly id: RpcId | null = null) {
    super(message);
  }
}

/**
 * Reads a request body as the proxy's own strict JSON (the reader the stdio side uses:
 * duplicate keys, lone surrogates, overflow and depth refused), within `maxBytes`.
 *
 * @throws HttpRefusal 413 (too large) or 400 (`-32700`, not strict JSON)
 */
export async function readStrictBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpRefusal(413, `a request body over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new HttpRefusal(400, 'the body is not UTF-8', -32700);
  }
  try {
    return parseStrictJson(text, 'the request body');
  } catch (err) {
    const detail = err instanceof InputError ? `${err.code}: ${err.message}` : 'not JSON';
    throw new HttpRefusal(400, `the body is not strict JSON (${detail})`, -32700);
  }
}

/**
 * Refuses a POST whose `Content-Type` is not JSON (415) or whose `Accept` does not take
 * both JSON and an event stream (406), before a session is made or a server spawned.
 */
export function checkPostHeaders(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('application/json')) throw new HttpRefusal(415, 'the body must be application/json');
  const accept = (req.headers.accept ?? '').toLowerCase();
  const takes = (t: string): boolean => accept.includes(t) || accept.includes('*/*');
  if (!takes('application/json') || !takes('text/event-stream')) throw new HttpRefusal(406, 'the client must accept both application/json and text/event-stream');
}

/** Answers with a JSON-RPC error (id `null` when the request had none or could not be read). */
export function replyError(res: ServerResponse, status: number, message: string, code = -32000, id: RpcId | null = null, data?: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message: `toolseal proxy: ${message}`, ...(data !== undefined ? { data } : {}) } }));
}
