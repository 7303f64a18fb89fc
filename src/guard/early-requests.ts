import type { RpcId } from './rpc.js';

/**
 * Requests the server sends the client (`roots/list`, `sampling/createMessage`,
 * `elicitation/create`) while the guard is still reading and verifying the lists. They
 * cannot wait until the client is in: the server may be waiting for the answer before it
 * answers its lists (a deadlock). So they go to the client at once, each with a bound: if
 * the client has not answered within `timeoutMs`, `onTimeout` answers the server instead
 * (the handshake goes on), and the client's late answer is dropped.
 */
export class EarlyRequests {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly expired = new Set<string>();

  constructor(private readonly timeoutMs: number, private readonly onTimeout: (id: RpcId, method: string, timeoutMs: number) => void) {}

  /** Starts the clock for a server request that is being forwarded to the client. */
  track(id: RpcId, method: string): void {
    const key = keyOf(id);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.expired.add(key);
      this.onTimeout(id, method, this.timeoutMs);
    }, this.timeoutMs);
    timer.unref?.();
    this.timers.set(key, timer);
  }

  /** Called with every client response: false when it answers a request the guard already answered (drop it). */
  settle(id: RpcId | undefined): boolean {
    if (id === undefined) return true;
    const key = keyOf(id);
    if (this.expired.delete(key)) return false;
    const timer = this.timers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(key);
    }
    return true;
  }

  /** Stops every clock (the session closed). */
  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.expired.clear();
  }
}

function keyOf(id: RpcId): string {
  return `${typeof id}:${id}`;
}
