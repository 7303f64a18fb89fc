import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { GuardSession, type GuardOptions } from './session.js';

/**
 * A client-side MCP `Transport` that puts a {@link GuardSession} in front of `inner` (the
 * transport to the real server: stdio, Streamable HTTP, ...). Connect an SDK `Client` to
 * it instead of to `inner`: `connect()` fails when the server is refused, lists come back
 * verified, and calls to entries the guard does not expose fail with JSON-RPC error
 * -32051 (see `guardClient` for typed errors).
 */
export class GuardedTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  /** The guard core, for inspection (`session.decision`). */
  readonly session: GuardSession;
  private closed = false;

  constructor(private readonly inner: Transport, options: GuardOptions) {
    this.session = new GuardSession(inner, {
      // Delivered on a microtask: the SDK may still be inside send() when the guard answers.
      send: (message) => new Promise<void>((resolve) => queueMicrotask(() => {
        this.onmessage?.(message);
        resolve();
      })),
      // Also on a microtask, so messages delivered before the close (a refusal) arrive first.
      close: () => new Promise<void>((resolve) => queueMicrotask(() => {
        this.closeOnce();
        resolve();
      })),
    }, options);
    this.session.onerror = (err) => this.onerror?.(err);
    this.session.onclose = () => this.closeOnce();
  }

  /** The inner transport's session id (Streamable HTTP). */
  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  async start(): Promise<void> {
    await this.session.start();
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    this.session.fromClient(message);
  }

  async close(): Promise<void> {
    await this.session.close();
  }

  /** The guard sets the protocol version on the inner transport itself when `initialize` completes. */
  setProtocolVersion(_version: string): void {}

  private closeOnce(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}

/** Wraps `inner` in a {@link GuardedTransport}. */
export function createGuardedTransport(inner: Transport, options: GuardOptions): GuardedTransport {
  return new GuardedTransport(inner, options);
}
