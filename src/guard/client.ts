import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ListsDecision } from './decide.js';
import { toGuardError } from './errors.js';
import { createGuardedTransport, type GuardedTransport, type GuardedTransportOptions } from './transport.js';

/**
 * What the guard needs of an SDK client, from either line: v1 `Client`
 * (`@modelcontextprotocol/sdk`) or v2 `Client` (`@modelcontextprotocol/client`).
 */
export interface GuardableClient {
  // Typed loosely on purpose: the two SDK lines declare their own Transport and request types.
  connect(transport: never, options?: never): Promise<void>;
  request: (...args: never[]) => Promise<unknown>;
  close(): Promise<void>;
}

/** What {@link guardClient} returns: the connected client and the guard's state. */
export interface GuardedClient<C extends GuardableClient = GuardableClient> {
  client: C;
  transport: GuardedTransport;
  /** The latest verification decision (exposed and hidden entries, verdict). */
  decision(): ListsDecision | undefined;
}

/**
 * Connects an SDK `Client` (v1, or v2 in any era: `legacy`, `auto`, or pinned to
 * 2026-07-28) to `transport` (the real server) through the guard, and makes the guard's
 * refusals typed: a call to a tool the guard does not expose rejects with
 * `ToolNotVerifiedError` (code `TOOL_NOT_VERIFIED`), a prompt or resource with
 * `EntryNotVerifiedError`, a refused server with `SessionRefusedError` (code
 * `SESSION_REFUSED`, also from `connect` itself). Other errors pass unchanged.
 *
 * The client's `request` method is wrapped on this instance only, because every SDK call
 * (`callTool`, `getPrompt`, `readResource`, ...) of both lines goes through it.
 *
 * @throws SessionRefusedError when `enforce: block` refuses the server at connect time
 */
export async function guardClient<C extends GuardableClient>(client: C, transport: Transport, options: GuardedTransportOptions): Promise<GuardedClient<C>> {
  const guarded = createGuardedTransport(transport, options);
  const request = client.request.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as { request: unknown }).request = async (...args: unknown[]) => {
    try {
      return await request(...args);
    } catch (err) {
      throw toGuardError(err);
    }
  };
  try {
    await (client.connect as (t: GuardedTransport) => Promise<void>).call(client, guarded);
  } catch (err) {
    await guarded.close().catch(() => {});
    throw guarded.refusal() ?? toGuardError(err);
  }
  return { client, transport: guarded, decision: () => guarded.decision() };
}
