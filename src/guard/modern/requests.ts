import { kindOf, type RpcId, type RpcMessage } from '../rpc.js';
import type { ModernGuard } from './guard.js';

/**
 * The client's requests in flight through a {@link ModernGuard}, for both faces that put one in a
 * client's path (the stdio proxy and the SDK client guard): each request gets its own abort
 * signal, so a `notifications/cancelled` reaches exactly the request it names, and an answer to a
 * cancelled request is not delivered (unless it is a result that was already on its way).
 */
export class ModernRequests {
  private readonly inflight = new Map<RpcId, AbortController>();

  constructor(private readonly deliver: (message: RpcMessage) => void) {}

  /**
   * A client message in the modern era: a request is answered, a cancel aborts the request it
   * names; other notifications and responses have no place in a stateless exchange and are dropped.
   */
  take(guard: ModernGuard, message: RpcMessage): void {
    if (kindOf(message) === 'request') return void this.answer(guard, message);
    if (message.method === 'notifications/cancelled') this.inflight.get(message.params?.requestId as RpcId)?.abort();
  }

  /** Answers one request through the guard and delivers the answer; resolves with it (for the era probe). */
  async answer(guard: ModernGuard, message: RpcMessage): Promise<RpcMessage> {
    const controller = new AbortController();
    this.inflight.set(message.id!, controller);
    const answer = await guard.handle(message, { emit: (n) => this.deliver(n), signal: controller.signal });
    this.inflight.delete(message.id!);
    if (!controller.signal.aborted || answer.result) this.deliver(answer);
    return answer;
  }

  /** Aborts every request in flight (the session is ending). */
  abortAll(): void {
    for (const controller of this.inflight.values()) controller.abort();
  }
}
