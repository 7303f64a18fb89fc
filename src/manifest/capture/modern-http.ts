import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CaptureError } from '../../errors.js';
import { parseStrictMessage, readLimited, SseReader } from '../../io/strict-http.js';
import { META_KEYS } from '../../protocol/index.js';

/** How {@link ModernHttpClientTransport} reaches a server. */
export interface ModernHttpOptions {
  url: URL;
  headers?: Record<string, string> | undefined;
  /** Names the server in messages (no credentials). */
  server: string;
  /** Largest response body read, in bytes. */
  maxMessageBytes: number;
}

/** A plain-ASCII header value (Mcp-Name is sent only then; capture never needs the Base64 form). */
const HEADER_SAFE = /^[\x20-\x7e]*$/;

/**
 * A client transport for the stateless 2026-07-28 Streamable HTTP binding: each message
 * is one POST carrying `MCP-Protocol-Version` (from the message's `_meta`), `Mcp-Method`
 * and, for calls, `Mcp-Name`, with no session. The answer (a JSON body, or an SSE stream
 * of messages) is read as strict JSON with the one strict HTTP reader (`src/io/strict-http.ts`),
 * as the strict stdio transport reads lines, and never past `maxMessageBytes`. A modern
 * server answers some errors with HTTP 400 and a JSON-RPC error body: that body is
 * delivered in-band. Any other non-2xx answer fails the send with a `StreamableHTTPError`
 * carrying the status (401/403 are authentication, never era evidence).
 */
export class ModernHttpClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly aborts = new Set<AbortController>();

  constructor(private readonly options: ModernHttpOptions) {}

  async start(): Promise<void> {}

  async close(): Promise<void> {
    for (const abort of this.aborts) abort.abort();
    this.aborts.clear();
    this.onclose?.();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const abort = new AbortController();
    this.aborts.add(abort);
    try {
      const response = await fetch(this.options.url, { method: 'POST', headers: this.headersFor(message), body: JSON.stringify(message), signal: abort.signal });
      await this.receive(response);
    } finally {
      this.aborts.delete(abort);
    }
  }

  private headersFor(message: JSONRPCMessage): Record<string, string> {
    const headers: Record<string, string> = {
      ...this.options.headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    if (!('method' in message)) return headers;
    const params = (message as { params?: Record<string, unknown> }).params;
    const version = (params?._meta as Record<string, unknown> | undefined)?.[META_KEYS.protocolVersion];
    if (typeof version === 'string') headers['mcp-protocol-version'] = version;
    headers['mcp-method'] = message.method;
    const name = params?.name ?? params?.uri;
    if (typeof name === 'string' && HEADER_SAFE.test(name)) headers['mcp-name'] = name;
    return headers;
  }

  private async receive(response: Response): Promise<void> {
    const type = (response.headers.get('content-type') ?? '').toLowerCase();
    if (response.status === 202 || response.status === 204) return;
    if (type.includes('text/event-stream') && response.ok && response.body) {
      // Events are delivered as they arrive: a long stream does not hold back its first answer.
      const reader = new SseReader((data) => this.onmessage?.(this.parse(data)), this.source(), this.options.maxMessageBytes);
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) reader.push(chunk);
      reader.end();
      return;
    }
    const body = response.body ? await readLimited(response.body, this.options.maxMessageBytes, this.source()) : new Uint8Array();
    if (type.includes('application/json') && response.ok) {
      this.onmessage?.(this.parse(body));
      return;
    }
    const error = type.includes('application/json') ? this.inBandError(body) : undefined;
    if (error !== undefined) {
      this.onmessage?.(error);
      return;
    }
    const text = new TextDecoder().decode(body.subarray(0, 200));
    throw new StreamableHTTPError(response.status, `Error POSTing to endpoint (HTTP ${response.status}): ${text}`);
  }

  /**
   * A non-2xx answer carrying a JSON-RPC error for a request (a modern server's 400/404
   * rule), else `undefined`: a legacy server's error page (or an `id: null` error) is
   * not an answer to the request, and the caller sees the HTTP status instead.
   */
  private inBandError(body: Uint8Array): JSONRPCMessage | undefined {
    try {
      const message = this.parse(body);
      return 'error' in message ? message : undefined;
    } catch {
      return undefined;
    }
  }

  private source(): string {
    return `The MCP server ${this.options.server}`;
  }

  /** One message, read strictly (see `parseStrictMessage`), that must be JSON-RPC 2.0. */
  private parse(bytes: Uint8Array | string): JSONRPCMessage {
    const parsed = JSONRPCMessageSchema.safeParse(parseStrictMessage(bytes, this.source()));
    if (!parsed.success) throw new CaptureError('SERVER_MESSAGE_INVALID', `The MCP server ${this.options.server} answered with JSON that is not a JSON-RPC 2.0 message.`, { cause: parsed.error });
    return parsed.data;
  }
}
