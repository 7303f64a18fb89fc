import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { isModernMessage } from '../protocol/wire.js';
import type { ListsDecision } from './decide.js';
import { SessionRefusedError } from './errors.js';
import { isModernDiscoverAnswer } from '../protocol/era.js';
import { ModernGuard, type ModernGuardOptions } from './modern/guard.js';
import { StdioModernUpstream } from './modern/upstream.js';
import { ModernRequests } from './modern/requests.js';
import { kindOf, type RpcMessage } from './rpc.js';
import { GuardSession, type GuardOptions } from './session.js';

/** Options of a {@link GuardedTransport}: the guard's, plus the modern era's verified-view cache. */
export type GuardedTransportOptions = GuardOptions & Pick<ModernGuardOptions, 'verifyCache'>;

/**
 * A client-side MCP `Transport` that puts the guard in front of `inner` (the transport to
 * the real server: stdio, Streamable HTTP, ...). Connect an SDK `Client` to it instead of
 * to `inner`, from either SDK line (`@modelcontextprotocol/sdk` v1, or v2's
 * `@modelcontextprotocol/client` in any `versionNegotiation` mode): `connect()` fails when
 * the server is refused, lists come back verified, and calls to entries the guard does not
 * expose fail with JSON-RPC error -31051 (see `guardClient` for typed errors).
 *
 * The client's first request decides the era, as in the stdio proxy: `initialize` is the
 * 2025 era (a {@link GuardSession}); `server/discover` or a request whose `_meta` names
 * 2026-07-28 is the modern era (a {@link ModernGuard} over `inner`). A `server/discover`
 * the server does not answer as a modern server is passed back with its error and decides
 * nothing, so a v2 client in `auto` mode (which probes in place on a custom transport)
 * falls back to `initialize` on the same connection.
 */
export class GuardedTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  private era: 'undecided' | 'probing' | 'modern' | 'legacy' = 'undecided';
  private legacy: GuardSession | undefined;
  private modern: ModernGuard | undefined;
  private latest: ListsDecision | undefined;
  private refusedWith: SessionRefusedError | undefined;
  private readonly held: JSONRPCMessage[] = [];
  private readonly requests = new ModernRequests((m) => this.deliver(m));
  private readonly options: GuardedTransportOptions;
  private closed = false;

  constructor(private readonly inner: Transport, options: GuardedTransportOptions) {
    this.options = { ...options, onDecision: (decision) => { this.latest = decision; options.onDecision?.(decision); } };
  }

  /** The 2025-era guard core, once the client opened with `initialize` (for inspection). */
  get session(): GuardSession | undefined {
    return this.legacy;
  }

  /** The era the client and the server settled on, once decided. */
  get protocolEra(): 'modern' | 'legacy' | undefined {
    return this.era === 'modern' || this.era === 'legacy' ? this.era : undefined;
  }

  /** The latest verification decision, in either era. */
  decision(): ListsDecision | undefined {
    return this.latest;
  }

  /**
   * Why the guard refused the server (`enforce: block`), once it did. A v2 client that
   * pinned 2026-07-28 reports a refused `server/discover` as its own negotiation failure
   * without the answer's data; `guardClient` throws this instead.
   */
  refusal(): SessionRefusedError | undefined {
    return this.refusedWith;
  }

  /** The inner transport's session id (Streamable HTTP). */
  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  /** Starts the inner transport (spawns a stdio server, or prepares the HTTP client). */
  async start(): Promise<void> {
    this.inner.onclose = () => void this.close();
    await this.inner.start();
    // Whichever guard takes the connection finds it running.
    this.inner.start = async () => undefined;
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.closed) return;
    if (this.era === 'legacy') return this.legacy!.fromClient(message);
    if (this.era === 'modern') return this.requests.take(this.modern!, message as RpcMessage);
    if (this.era === 'probing') return void this.held.push(message);
    if (kindOf(message as RpcMessage) === 'request' && isModernMessage(message as RpcMessage)) return this.probe(message as RpcMessage);
    this.openLegacy(message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.requests.abortAll();
    if (this.legacy) await this.legacy.close();
    else if (this.modern) await this.modern.close();
    else await this.inner.close();
    this.onclose?.();
  }

  /** The guard sets the protocol version on the inner transport itself when `initialize` completes. */
  setProtocolVersion(_version: string): void {}

  private probe(msg: RpcMessage): void {
    this.era = 'probing';
    const upstream = new StdioModernUpstream(this.inner, 'upstream');
    upstream.attach(() => void this.close());
    const guard = new ModernGuard(upstream, this.options);
    guard.onRefused = (error) => {
      this.refusedWith ??= error;
      setImmediate(() => void this.close());
    };
    this.modern = guard;
    void this.requests.answer(guard, msg).then((answer) => {
      if (this.closed) return;
      if (msg.method === 'server/discover' && !isModernDiscoverAnswer(answer)) {
        // A legacy server: the next message (its initialize) opens the 2025-era session.
        this.era = 'undecided';
        this.modern = undefined;
      } else {
        this.era = 'modern';
      }
      for (const held of this.held.splice(0)) void this.send(held);
    });
  }



  private openLegacy(message: JSONRPCMessage): void {
    this.era = 'legacy';
    const session = new GuardSession(this.inner, {
      // Delivered on a microtask: the SDK may still be inside send() when the guard answers.
      send: async (m) => this.deliver(m as RpcMessage),
      // Also on a microtask, so messages delivered before the close (a refusal) arrive first.
      close: () => new Promise<void>((resolve) => queueMicrotask(() => { void this.close(); resolve(); })),
    }, this.options);
    session.onerror = (err) => this.onerror?.(err);
    session.onclose = (reason) => {
      if (reason instanceof SessionRefusedError) this.refusedWith ??= reason;
      void this.close();
    };
    this.legacy = session;
    session.fromClient(message);
  }

  private deliver(message: RpcMessage): void {
    queueMicrotask(() => { if (!this.closed || kindOf(message) === 'response') this.onmessage?.(message as JSONRPCMessage); });
  }
}

/** Wraps `inner` in a {@link GuardedTransport}. */
export function createGuardedTransport(inner: Transport, options: GuardedTransportOptions): GuardedTransport {
  return new GuardedTransport(inner, options);
}
