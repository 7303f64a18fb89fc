import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { CaptureError } from '../../errors.js';
import { listOfMethod, type ListMethod } from '../lists.js';
import type { CaptureContext } from './context.js';
import { tooLarge } from './errors.js';


/** Bytes of list results seen so far in one capture, shared by all its lists. */
export interface ListBudget {
  usedBytes: number;
}

/**
 * Keeps every field the server sent: the SDK's own result schemas would drop or reject
 * fields, but a manifest must hold exactly what the model would see.
 */
const VerbatimResult = z.looseObject({});

/**
 * Sends one request with the capture's timeout, keeping the result verbatim.
 * `ctx.step` names the request so a timeout or crash message can say which one.
 */
export async function request(client: Client, ctx: CaptureContext, method: string, params?: Record<string, unknown>, step = method): Promise<Record<string, unknown>> {
  ctx.step = step;
  const message = params === undefined ? { method } : { method, params };
  return client.request(message, VerbatimResult, { timeout: ctx.limits.requestTimeoutMs });
}

/**
 * Fetches every page of one list, following `nextCursor`. A server that does not
 * implement the method (`-32601` on the first page) has an empty list.
 *
 * @throws CaptureError `CURSOR_LOOP` (a cursor came back), `TOO_MANY_PAGES` (more than
 *   `maxPages`), `LIST_TOO_LARGE` (the budget's bytes exceed `maxListBytes`),
 *   `LIST_MALFORMED` (no array of entries, or a non-string cursor)
 */
export async function listAll(client: Client, method: ListMethod, ctx: CaptureContext, budget: ListBudget = { usedBytes: 0 }): Promise<Record<string, unknown>[]> {
  const resultField = listOfMethod(method)!.resultKey;
  const seen = new Set<string>();
  const entries: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  for (let pageNo = 1; ; pageNo++) {
    if (pageNo > ctx.limits.maxPages) {
      throw new CaptureError('TOO_MANY_PAGES', `The MCP server ${ctx.server} returned more than ${ctx.limits.maxPages} pages of ${method}; it may paginate endlessly. Raise the page limit if the list really is that long.`);
    }
    const result = await fetchPage(client, method, cursor, pageNo, ctx);
    if (result === undefined) return entries;
    budget.usedBytes += Buffer.byteLength(JSON.stringify(result), 'utf8');
    if (budget.usedBytes > ctx.limits.maxListBytes) throw tooLarge(ctx);
    entries.push(...pageEntries(result, resultField, ctx));
    const next = result.nextCursor;
    if (next === undefined || next === null) return entries;
    if (typeof next !== 'string') {
      throw new CaptureError('LIST_MALFORMED', `The MCP server ${ctx.server} sent a nextCursor that is not a string in ${ctx.step}.`);
    }
    if (seen.has(next)) {
      throw new CaptureError('CURSOR_LOOP', `The MCP server ${ctx.server} repeated the cursor ${JSON.stringify(next.slice(0, 80))} in ${method} (page ${pageNo}); its pagination loops, so the list can never be complete.`);
    }
    seen.add(next);
    cursor = next;
  }
}

async function fetchPage(client: Client, method: ListMethod, cursor: string | undefined, pageNo: number, ctx: CaptureContext): Promise<Record<string, unknown> | undefined> {
  try {
    return await request(client, ctx, method, cursor === undefined ? undefined : { cursor }, pageNo === 1 ? method : `${method} (page ${pageNo})`);
  } catch (err) {
    // Only an unimplemented method means "no such list"; mid-pagination it is a fault.
    if (pageNo === 1 && err instanceof McpError && err.code === ErrorCode.MethodNotFound) return undefined;
    throw err;
  }
}

function pageEntries(result: Record<string, unknown>, field: string, ctx: CaptureContext): Record<string, unknown>[] {
  const list = result[field];
  if (!Array.isArray(list) || list.some((e) => e === null || typeof e !== 'object' || Array.isArray(e))) {
    throw new CaptureError('LIST_MALFORMED', `The MCP server ${ctx.server} answered ${ctx.step} without an array of objects in "${field}".`);
  }
  return list as Record<string, unknown>[];
}
