import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { z } from 'zod';
import { CaptureError } from '../../errors.js';
import { listOfMethod, type ListMethod } from '../lists.js';
import type { CaptureContext } from './context.js';
import type { RequestFn } from './rpc.js';
import { readAllPages, type ListBudget } from './pages.js';

export type { ListBudget } from './pages.js';

/**
 * Keeps every field the server sent: the SDK's own result schemas would drop or reject
 * fields, but a manifest must hold exactly what the model would see.
 */
const VerbatimResult = z.looseObject({});

/**
 * Sends one request with the capture's timeout, keeping the result verbatim.
 * `ctx.step` names the request so a timeout or crash message can say which one.
 */
export async function request(client: Client | RequestFn, ctx: CaptureContext, method: string, params?: Record<string, unknown>, step = method): Promise<Record<string, unknown>> {
  ctx.step = step;
  if (typeof client === 'function') return client(method, params, ctx.limits.requestTimeoutMs);
  const message = params === undefined ? { method } : { method, params };
  return client.request(message, VerbatimResult, { timeout: ctx.limits.requestTimeoutMs });
}

/**
 * Fetches every page of one list over a legacy SDK client or a modern requester (which
 * adds the request `_meta` itself; see `readAllPages` for the rules), and
 * requires every entry to be an object: a manifest holds only entries it can key.
 *
 * @throws CaptureError `CURSOR_LOOP`, `TOO_MANY_PAGES`, `LIST_TOO_LARGE`, `LIST_MALFORMED`
 *   (see `readAllPages`; also: an entry that is not an object)
 */
export async function listAll(client: Client | RequestFn, method: ListMethod, ctx: CaptureContext, budget: ListBudget = { usedBytes: 0 }): Promise<Record<string, unknown>[]> {
  const list = listOfMethod(method)!;
  const entries = await readAllPages((m, params, step) => request(client, ctx, m, params, step), list.name, ctx, budget);
  if (entries.some((e) => e === null || typeof e !== 'object' || Array.isArray(e))) {
    throw new CaptureError('LIST_MALFORMED', `The MCP server ${ctx.server} answered ${method} without an array of objects in "${list.resultKey}".`);
  }
  return entries as Record<string, unknown>[];
}
