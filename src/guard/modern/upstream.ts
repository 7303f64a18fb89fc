import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CaptureError } from '../../errors.js';
import { parseStrictMessage, readLimited, SseReader, DEFAULT_MAX_HTTP_MESSAGE_BYTES } from '../../io/strict-http.js';
import { META, NAMED_METHODS, encodeHeaderValue, metaOf } from '../../protocol/wire.js';
import { GUARD_RPC_CODES } from '../errors.js';
import { kindOf, type RpcId, type RpcMessage } from '../rpc.js';

/** How one request goes upstream. */
export interface ModernRequestOptions {
  /** Notifications that belong to this request (progress, a listen stream's changes). */
  onNotification?: (notification: RpcMessage) => void;
  /** Bound of the wait for the answer; none when absent (a client's own request, a listen stream). */
  timeoutMs?: number;
  /** Aborting cancels the request upstream (the client went away). */
  signal?: AbortSignal;
  /** Extra HTTP headers for this request (the client's `Mcp-Param-*`); ignored on stdio. */
  headers?: Record<string, string>;
}

/**
 * The upstream server in the 2026-07-28 era: every request stands alone. `request`
 * resolves with the response under the id the caller gave (a result or a JSON-RPC error,
 * also when the transport failed: then the error is toolseal's `-31053`), never rejects.
 */
export interface ModernUpstream {
  request(message: RpcMessage, options?: ModernRequestOptions): Promise<RpcMessage>;
  close(): Promise<void>;
}

function failure(id: RpcId | undefined, reason: string): RpcMessage {
  return { jsonrpc: '2.0', id: id ?? null as unknown as RpcId, error: { code: GUARD_RPC_CODES.upstreamFailed, message: `toolseal: the request cannot complete: ${reason}`, data: { code: 'UPSTREAM_FAILED', reason } } };
}

interface Pending {
  clientId: RpcId | undefined;
  token?: string | number;
  options: ModernRequestOptions;
  resolve: (message: RpcMessage) => void;
  timer?: NodeJS.Timeout;
}

/**
 * A modern upstream over one stdio connection (one spawned server), shared by every
 * request: each goes out under a fresh id (and a fresh progress token), so requests of
 * many clients never collide; answers, progress and a listen stream's notifications
 * (tagged with the listen request's id in `_meta`) are mapped back. A request the server
 * sends is refused (`-32601`): the modern era has none (MRTR instead).
 */
export class StdioModernUpstream implements ModernUpstream {
  /** Notifications that belong to no request in flight. */
  onUnrelated?: (notification: RpcMessage) => void;
  private next = 0;
  private readonly pending = new Map<string, Pending>();
  private closed: Error | undefined;

  constructor(private readonly transport: Transport, private readonly server: string) {}

  /** Takes over the transport's callbacks (the transport is already started). */
  attach(onClose?: () => void): void {
    this.transport.onmessage = (message) => this.receive(message as RpcMessage);
    this.transport.onclose = () => {
      this.fail(new CaptureError('UPSTREAM_CLOSED', `The server ${this.server} closed the connection.`));
      onClose?.();
    };
  }

  request(message: RpcMessage, options: ModernRequestOptions = {}): Promise<RpcMessage> {
    if (this.closed) return Promise.resolve(failure(message.id, this.closed.message));
    const id = `toolseal-${++this.next}`;
    const meta = metaOf(message.params);
    const token = meta?.progressToken as string | number | undefined;
    const params = token === undefined ? message.params : { ...message.params, _meta: { ...meta, progressToken: id } };
    return new Promise((resolve) => {
      const pending: Pending = { clientId: message.id, options, resolve, ...(token !== undefined ? { token } : {}) };
      if (options.timeoutMs !== undefined) {
        pending.timer = setTimeout(() => this.settle(id, failure(message.id, `no answer to ${message.method} within ${options.timeoutMs} ms`)), options.timeoutMs);
      }
      options.signal?.addEventListener('abort', () => {
        if (!this.pending.has(id)) return;
        this.settle(id, failure(message.id, 'the client cancelled the request'));
        void this.transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id } } as JSONRPCMessage).catch(() => undefined);
      }, { once: true });
      this.pending.set(id, pending);
      this.transport.send({ ...message, id, ...(params ? { params } : {}) } as JSONRPCMessage)
        .catch((err: Error) => this.settle(id, failure(message.id, err.message)));
    });
  }

  async close(): Promise<void> {
    this.fail(new CaptureError('SESSION_CLOSED', 'The proxy closed the connection.'));
    await this.transport.close();
  }

  private receive(msg: RpcMessage): void {
    const kind = kindOf(msg);
    if (kind === 'response') {
      const pending = this.pending.get(String(msg.id));
      if (pending) this.settle(String(msg.id), { ...msg, id: pending.clientId!, ...(msg.result ? { result: this.clientMeta(msg.result, pending) } : {}) });
      return;
    }
    if (kind === 'request') {
      void this.transport.send({ jsonrpc: '2.0', id: msg.id!, error: { code: -32601, message: 'toolseal: server-to-client requests are not part of the 2026-07-28 era (use input_required)' } } as JSONRPCMessage).catch(() => undefined);
      return;
    }
    const meta = metaOf(msg.params);
    const owner = String(meta?.[META.subscriptionId] ?? (msg.method === 'notifications/progress' ? msg.params?.progressToken : ''));
    const pending = this.pending.get(owner);
    if (!pending) return this.onUnrelated?.(msg);
    const params = { ...msg.params! };
    if (msg.method === 'notifications/progress' && pending.token !== undefined) params.progressToken = pending.token;
    if (meta?.[META.subscriptionId] !== undefined) params._meta = { ...meta, [META.subscriptionId]: pending.clientId };
    pending.options.onNotification?.({ ...msg, params });
  }

  /** A listen stream's final answer names its subscription in `_meta`: the client's id, not ours. */
  private clientMeta(result: Record<string, unknown>, pending: Pending): Record<string, unknown> {
    const meta = metaOf(result);
    if (meta?.[META.subscriptionId] === undefined) return result;
    return { ...result, _meta: { ...meta, [META.subscriptionId]: pending.clientId } };
  }

  private settle(id: string, message: RpcMessage): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(message);
  }

  private fail(reason: Error): void {
    this.closed ??= reason;
    for (const [id, pending] of [...this.pending]) this.settle(id, failure(pending.clientId, reason.message));
  }
}

/** Options of {@link HttpModernUpstream}. */
export interface HttpModernUpstreamOptions {
  url: string;
  headers?: Record<string, string>;
  server: string;
  maxMessageBytes?: number;
  fetch?: typeof fetch;
}

/**
 * A modern upstream over Streamable HTTP: one POST per request, with the headers the
 * revision requires mirrored from the body (`MCP-Protocol-Version`, `Mcp-Method`,
 * `Mcp-Name`), no session. The answer is read strictly, whether a JSON body or an SSE
 * stream (notifications before the response go to `onNotification`).
 */
export class HttpModernUpstream implements ModernUpstream {
  private readonly controllers = new Set<AbortController>();
  private next = 0;

  constructor(private readonly options: HttpModernUpstreamOptions) {}

  async request(message: RpcMessage, options: ModernRequestOptions = {}): Promise<RpcMessage> {
    const controller = new AbortController();
    this.controllers.add(controller);
    const abort = (): void => controller.abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(abort, options.timeoutMs);
    const id = `toolseal-${++this.next}`;
    try {
      return await this.exchange({ ...message, id }, message.id!, options, controller.signal);
    } catch (err) {
      const reason = controller.signal.aborted
        ? (options.signal?.aborted ? 'the client cancelled the request' : `no answer to ${message.method} within ${options.timeoutMs} ms`)
        : (err as Error).message;
      return failure(message.id, reason);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      this.controllers.delete(controller);
    }
  }

  async close(): Promise<void> {
    for (const controller of this.controllers) controller.abort();
  }

  private async exchange(message: RpcMessage, clientId: RpcId, options: ModernRequestOptions, signal: AbortSignal): Promise<RpcMessage> {
    const res = await (this.options.fetch ?? fetch)(this.options.url, { method: 'POST', headers: this.headersFor(message, options.headers), body: JSON.stringify(message), signal });
    const type = (res.headers.get('content-type') ?? '').toLowerCase();
    const source = `The server ${this.options.server}`;
    const max = this.options.maxMessageBytes ?? DEFAULT_MAX_HTTP_MESSAGE_BYTES;
    let answer: RpcMessage | undefined;
    const take = (value: unknown): void => {
      const msg = value as RpcMessage;
      if (msg === null || typeof msg !== 'object' || msg.jsonrpc !== '2.0') throw new CaptureError('SERVER_MESSAGE_INVALID', `${source} sent something that is not a JSON-RPC message.`);
      if (kindOf(msg) === 'response') {
        if (String(msg.id) === String(message.id) || msg.id === null) answer ??= msg;
        return;
      }
      if (kindOf(msg) === 'notification') options.onNotification?.(this.forClient(msg, message.id!, clientId));
    };
    if (res.body && type.includes('text/event-stream')) {
      const reader = new SseReader((data) => take(parseStrictMessage(data, source)), source, max);
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        reader.push(chunk);
        if (answer) break;
      }
      if (!answer) reader.end();
    } else if (res.body && type.includes('application/json')) {
      const bytes = await readLimited(res.body, max, source);
      if (bytes.length > 0) take(parseStrictMessage(bytes, source));
    } else {
      await res.body?.cancel().catch(() => undefined);
    }
    if (!answer) throw new CaptureError('UPSTREAM_FAILED', `${source} answered ${message.method} with HTTP ${res.status} and no JSON-RPC response.`);
    const result = answer.result ? this.resultForClient(answer.result, message.id!, clientId) : undefined;
    return { ...answer, id: clientId, ...(result ? { result } : {}) };
  }

  private headersFor(message: RpcMessage, extra: Record<string, string> = {}): Record<string, string> {
    const meta = metaOf(message.params);
    const version = meta?.[META.protocolVersion];
    const named = NAMED_METHODS[message.method ?? ''];
    const name = named ? message.params?.[named] : undefined;
    return {
      ...this.options.headers,
      ...extra,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(typeof version === 'string' ? { 'mcp-protocol-version': version } : {}),
      'mcp-method': encodeHeaderValue(message.method ?? ''),
      ...(typeof name === 'string' ? { 'mcp-name': encodeHeaderValue(name) } : {}),
    };
  }

  private forClient(msg: RpcMessage, upstreamId: RpcId, clientId: RpcId): RpcMessage {
    const meta = metaOf(msg.params);
    if (meta?.[META.subscriptionId] === undefined || String(meta[META.subscriptionId]) !== String(upstreamId)) return msg;
    return { ...msg, params: { ...msg.params, _meta: { ...meta, [META.subscriptionId]: clientId } } };
  }

  private resultForClient(result: Record<string, unknown>, upstreamId: RpcId, clientId: RpcId): Record<string, unknown> {
    const meta = metaOf(result);
    if (meta?.[META.subscriptionId] === undefined || String(meta[META.subscriptionId]) !== String(upstreamId)) return result;
    return { ...result, _meta: { ...meta, [META.subscriptionId]: clientId } };
  }
}
