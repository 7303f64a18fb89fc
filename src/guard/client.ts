import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ListsDecision } from './decide.js';
import { toGuardError } from './errors.js';
import type { GuardOptions } from './session.js';
import { createGuardedTransport, type GuardedTransport } from './transport.js';

/** What {@link guardClient} returns: the connected client and the guard's state. */
export interface GuardedClient {
  client: Client;
  transport: GuardedTransport;
  /** The latest verification decision (exposed and hidden entries, verdict). */
  decision(): ListsDecision | undefined;
}

/**
 * Connects an SDK `Client` to `transport` (the real server) through the guard, and makes
 * the guard's refusals typed: a call to a tool the guard does not expose rejects with
 * `ToolNotVerifiedError` (code `TOOL_NOT_VERIFIED`), a prompt or resource with
 * `EntryNotVerifiedError`, a refused server with `SessionRefusedError` (code
 * `SESSION_REFUSED`, also from `connect` itself). Other errors pass unchanged.
 *
 * The client's `request` method is wrapped on this instance only, because every SDK call
 * (`callTool`, `getPrompt`, `readResource`, ...) goes through it.
 *
 * @throws SessionRefusedError when `enforce: block` refuses the server at connect time
 */
export async function guardClient(client: Client, transport: Transport, options: GuardOptions): Promise<GuardedClient> {
  const guarded = createGuardedTransport(transport, options);
  const request = client.request.bind(client);
  client.request = (async (...args: Parameters<typeof request>) => {
    try {
      return await request(...args);
    } catch (err) {
      throw toGuardError(err);
    }
  }) as typeof client.request;
  try {
    await client.connect(guarded);
  } catch (err) {
    await guarded.close().catch(() => {});
    throw toGuardError(err);
  }
  return { client, transport: guarded, decision: () => guarded.session.decision };
}
