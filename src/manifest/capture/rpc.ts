import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Sends one request and resolves with its raw `result`; see {@link RpcRequester}. */
export type RequestFn = (method: string, params: Record<string, unknown> | undefined, timeoutMs: number) => Promise<Record<string, unknown>>;

/**
 * A minimal JSON-RPC requester over a transport, for the modern era, where no SDK
 * `Client` handshake runs: toolseal sends `server/discover` and the lists itself. Results
 * are kept verbatim (no schema reads or drops a field). Errors are the SDK's `McpError`
 * with the answer's code, message and data, or `RequestTimeout` / `ConnectionClosed`, so
 * `toCaptureError` names them as it does for a legacy capture. A request the server sends
 * is answered `-32601`: capture has nothing to give (MRTR input would be a result, not a request).
 */
export class RpcRequester {
  private readonly pending = new Map<string, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private closed = false;
  private readonly previous: Pick<Transport, 'onmessage' | 'onclose'>;

  constructor(private readonly transport: Transport, private readonly idPrefix = 'toolseal-') {
    this.previous = { onmessage: transport.onmessage, onclose: transport.onclose };
    transport.onmessage = (message) => this.receive(message);
    transport.onclose = () => this.fail(new McpError(ErrorCode.ConnectionClosed, 'Connection closed'));
  }

  /** Sends `method` and waits at most `timeoutMs` for its answer. */
  readonly request: RequestFn = (method, params, timeoutMs) => {
    if (this.closed) return Promise.reject(new McpError(ErrorCode.ConnectionClosed, 'Connection closed'));
    const id = `${this.idPrefix}${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new McpError(ErrorCode.RequestTimeout, 'Request timed out', { timeout: timeoutMs }));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      const message = { jsonrpc: '2.0' as const, id, method, ...(params === undefined ? {} : { params }) };
      this.transport.send(message).catch((err: unknown) => this.settle(id, undefined, err instanceof Error ? err : new Error(String(err))));
    });
  };

  /**
   * Gives the transport back as it was before (for the legacy fallback on the same
   * connection); requests still pending fail as closed.
   */
  release(): void {
    this.transport.onmessage = this.previous.onmessage;
    this.transport.onclose = this.previous.onclose;
    this.fail(new McpError(ErrorCode.ConnectionClosed, 'The probe connection was handed over'));
    this.closed = false;
  }

  private receive(message: JSONRPCMessage): void {
    if ('method' in message) {
      if ('id' in message) {
        void this.transport.send({ jsonrpc: '2.0', id: message.id, error: { code: ErrorCode.MethodNotFound, message: 'toolseal is capturing this server\'s lists and answers no requests.' } }).catch(() => undefined);
      }
      return;
    }
    const id = String(message.id);
    if ('error' in message) {
      this.settle(id, undefined, new McpError(message.error.code, message.error.message, message.error.data));
    } else {
      this.settle(id, message.result as Record<string, unknown>, undefined);
    }
  }

  private settle(id: string, result: Record<string, unknown> | undefined, error: Error | undefined): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    if (error) entry.reject(error);
    else entry.resolve(result ?? {});
  }

  private fail(error: Error): void {
    this.closed = true;
    for (const [id, entry] of [...this.pending]) {
      this.pending.delete(id);
      clearTimeout(entry.timer);
      entry.reject(error);
    }
  }
}
