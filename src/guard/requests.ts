import { CaptureError } from '../errors.js';
import type { RpcId, RpcMessage } from './rpc.js';

/**
 * A JSON-RPC error the server answered one of the guard's own requests with, kept apart
 * from transport failures; `code` is the numeric JSON-RPC code (the page reader reads
 * `-32601` on a first page as "no such list").
 */
export class UpstreamRpcError extends Error {
  constructor(readonly code: number, method: string, readonly serverMessage: string, readonly data?: unknown) {
    super(`the server answered ${method} with error ${code}: ${serverMessage}`);
  }
}

/** A client request sent upstream under the guard's own id. */
export interface Forwarded { clientId: RpcId; method: string; token?: string | number }

interface Internal { method: string; resolve: (result: Record<string, unknown>) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }

/**
 * A guard session's requests in flight. Every request sent upstream, the client's and the
 * guard's own list reads alike, gets a fresh id from one counter, so the client's ids
 * never collide with the guard's; this maps them back (and progress tokens to the client
 * request they belong to), and remembers the list requests the guard answers itself.
 */
export class RequestLedger {
  private nextId = 0;
  private readonly forwarded = new Map<number, Forwarded>();
  private readonly byClientId = new Map<RpcId, number>();
  private readonly internal = new Map<number, Internal>();
  private readonly progress = new Map<string | number, RpcId>();
  private readonly local = new Set<RpcId>();

  /** Records a client request about to go upstream and returns the id it goes under. */
  forward(msg: RpcMessage): number {
    const id = ++this.nextId;
    const token = msg.params?._meta?.progressToken as string | number | undefined;
    this.forwarded.set(id, token === undefined ? { clientId: msg.id!, method: msg.method! } : { clientId: msg.id!, method: msg.method!, token });
    this.byClientId.set(msg.id!, id);
    if (token !== undefined) this.progress.set(token, msg.id!);
    return id;
  }

  /**
   * One of the guard's own requests: `send` puts it on the wire under a fresh id; the
   * promise settles with the answer, rejects with {@link UpstreamRpcError} on an error answer,
   * or with `SERVER_TIMEOUT` (capture's code for the same fact) after `timeoutMs`.
   */
  ask(method: string, timeoutMs: number, send: (id: number) => void): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      const timer = setTimeout(() => {
        this.internal.delete(id);
        reject(new CaptureError('SERVER_TIMEOUT', `The MCP server did not answer ${method} within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.internal.set(id, { method, resolve, reject, timer });
      send(id);
    });
  }

  /** Settles the guard's own request that `msg` answers; false when it answers none. */
  settleInternal(msg: RpcMessage): boolean {
    const id = msg.id as number;
    const internal = this.internal.get(id);
    if (!internal) return false;
    this.internal.delete(id);
    clearTimeout(internal.timer);
    if (msg.error) internal.reject(new UpstreamRpcError(msg.error.code, internal.method, String(msg.error.message)));
    else internal.resolve(msg.result ?? {});
    return true;
  }

  /** The forwarded client request sent under upstream `id` (what an answer's id names), now forgotten; undefined when there is none. */
  takeForwarded(id: RpcId | undefined): Forwarded | undefined {
    // The guard's upstream ids are numbers; any other id answers nothing it forwarded.
    if (typeof id !== 'number') return undefined;
    const pending = this.forwarded.get(id);
    if (pending === undefined) return undefined;
    this.forwarded.delete(id);
    this.byClientId.delete(pending.clientId);
    if (pending.token !== undefined) this.progress.delete(pending.token);
    return pending;
  }

  /** The upstream id of a client request still in flight (for `notifications/cancelled`). */
  upstreamIdOf(clientId: RpcId): number | undefined {
    return this.byClientId.get(clientId);
  }

  /** The client request a progress token belongs to. */
  clientIdOfProgress(token: string | number): RpcId | undefined {
    return this.progress.get(token);
  }

  /** Marks a client list request the guard answers itself. */
  addLocal(clientId: RpcId): void {
    this.local.add(clientId);
  }

  /** Forgets a local request; false when it was already answered (the session refused or closed). */
  takeLocal(clientId: RpcId): boolean {
    return this.local.delete(clientId);
  }

  /** Every client request still waiting for an answer. */
  *pendingClientIds(): Iterable<RpcId> {
    for (const pending of this.forwarded.values()) yield pending.clientId;
    yield* this.local;
  }

  /** Rejects every request of the guard's own with `reason` and stops their timers. */
  rejectInternal(reason: Error): void {
    for (const [, pending] of this.internal) {
      clearTimeout(pending.timer);
      pending.reject(reason);
    }
    this.internal.clear();
  }

  /** Forgets every client request (they have been answered with an error). */
  clearClientRequests(): void {
    this.forwarded.clear();
    this.byClientId.clear();
    this.local.clear();
  }
}
