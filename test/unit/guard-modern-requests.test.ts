import { describe, expect, it } from 'vitest';
import { ModernRequests } from '../../src/guard/modern/requests.js';
import type { ModernGuard } from '../../src/guard/modern/guard.js';
import type { RpcMessage } from '../../src/guard/rpc.js';

/** A guard whose answers wait until the test releases them, and which records each request's signal. */
function heldGuard() {
  const pending = new Map<unknown, { signal: AbortSignal; release: (answer: RpcMessage) => void }>();
  const guard = {
    handle: (msg: RpcMessage, ctx: { signal: AbortSignal }) => new Promise<RpcMessage>((resolve) => pending.set(msg.id, { signal: ctx.signal, release: resolve })),
  } as unknown as ModernGuard;
  return { guard, pending };
}

describe('ModernRequests: the client requests in flight through the modern guard', () => {
  it('delivers each answer, and a cancel aborts exactly the request it names and withholds its error answer', async () => {
    const delivered: RpcMessage[] = [];
    const requests = new ModernRequests((m) => delivered.push(m));
    const { guard, pending } = heldGuard();
    requests.take(guard, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: {} });
    requests.take(guard, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: {} });
    requests.take(guard, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2 } });
    expect(pending.get(1)!.signal.aborted).toBe(false);
    expect(pending.get(2)!.signal.aborted).toBe(true);
    pending.get(2)!.release({ jsonrpc: '2.0', id: 2, error: { code: -32800, message: 'cancelled' } });
    pending.get(1)!.release({ jsonrpc: '2.0', id: 1, result: { content: [] } });
    await new Promise((r) => setImmediate(r));
    expect(delivered.map((m) => m.id)).toEqual([1]);
  });

  it('drops client responses and other notifications, and abortAll aborts what is in flight', () => {
    const delivered: RpcMessage[] = [];
    const requests = new ModernRequests((m) => delivered.push(m));
    const { guard, pending } = heldGuard();
    requests.take(guard, { jsonrpc: '2.0', id: 'x', result: {} });
    requests.take(guard, { jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(pending.size).toBe(0);
    requests.take(guard, { jsonrpc: '2.0', id: 3, method: 'tools/list' });
    requests.abortAll();
    expect(pending.get(3)!.signal.aborted).toBe(true);
    expect(delivered).toEqual([]);
  });
});
