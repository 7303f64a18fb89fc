import { CaptureError } from '../../errors.js';
import { listSpec, type ListMethod, type ListName } from '../lists.js';
import type { CaptureLimits } from './options.js';

/**
 * Sends one page request and resolves with its result. It rejects with the server's
 * JSON-RPC error (anything with a numeric `code`, as the SDK's `McpError` and the guard's
 * `UpstreamRpcError` have) or with a transport failure. `step` names the request for
 * messages, e.g. `tools/list (page 2)`.
 */
export type PageRequest = (method: ListMethod, params: { cursor: string } | undefined, step: string) => Promise<Record<string, unknown>>;

/** Bytes of list results seen so far in one read of a server's lists, shared by all its lists. */
export interface ListBudget {
  usedBytes: number;
}

/** Whom the pages come from (named in messages, free of secrets) and the limits of the read. */
export interface PageReadContext {
  server: string;
  limits: Pick<CaptureLimits, 'maxPages' | 'maxListBytes'>;
}

/** JSON-RPC "method not found". */
const METHOD_NOT_FOUND = -32601;

/**
 * Reads every page of one list, following `nextCursor`: the one page reader of capture and
 * the guard, so both end a list, count its size and refuse abuse by the same rules.
 *
 * - A server that does not implement the method (`-32601` on the first page) has an empty
 *   list; mid-pagination that error is a fault and is thrown as it came.
 * - The list ends when `nextCursor` is absent, `null` or the empty string. An empty cursor
 *   cannot name a next page (MCP cursors are opaque but not empty), and following it would
 *   re-request the first page.
 * - Size is the UTF-8 bytes of each whole page result as JSON, added to `budget`, which a
 *   caller shares across the lists of one read.
 *
 * @throws CaptureError `TOO_MANY_PAGES` (more than `maxPages`), `LIST_TOO_LARGE` (the
 *   budget exceeds `maxListBytes`), `CURSOR_LOOP` (a cursor came back), `LIST_MALFORMED`
 *   (no array of entries, or a cursor that is not a string); whatever `request` throws
 */
export async function readAllPages(request: PageRequest, list: ListName, ctx: PageReadContext, budget: ListBudget = { usedBytes: 0 }): Promise<unknown[]> {
  const { method, resultKey } = listSpec(list);
  const seen = new Set<string>();
  const entries: unknown[] = [];
  let cursor: string | undefined;
  for (let pageNo = 1; ; pageNo++) {
    if (pageNo > ctx.limits.maxPages) {
      throw new CaptureError('TOO_MANY_PAGES', `The MCP server ${ctx.server} returned more than ${ctx.limits.maxPages} pages of ${method}; it may paginate endlessly. Raise the page limit if the list really is that long.`);
    }
    const step = pageNo === 1 ? method : `${method} (page ${pageNo})`;
    const result = await fetchPage(request, method, cursor, step, pageNo);
    if (result === undefined) return entries;
    budget.usedBytes += Buffer.byteLength(JSON.stringify(result), 'utf8');
    if (budget.usedBytes > ctx.limits.maxListBytes) throw listTooLarge(ctx, step);
    const page = result[resultKey];
    if (!Array.isArray(page)) {
      throw new CaptureError('LIST_MALFORMED', `The MCP server ${ctx.server} answered ${step} without an array in "${resultKey}".`);
    }
    entries.push(...page);
    const next = result.nextCursor;
    if (next === undefined || next === null || next === '') return entries;
    if (typeof next !== 'string') {
      throw new CaptureError('LIST_MALFORMED', `The MCP server ${ctx.server} sent a nextCursor that is not a string in ${step}.`);
    }
    if (seen.has(next)) {
      throw new CaptureError('CURSOR_LOOP', `The MCP server ${ctx.server} repeated the cursor ${JSON.stringify(next.slice(0, 80))} in ${method} (page ${pageNo}); its pagination loops, so the list can never be complete.`);
    }
    seen.add(next);
    cursor = next;
  }
}

/** The error for list results over `maxListBytes`, at `step` (the request in flight). */
export function listTooLarge(ctx: PageReadContext, step: string, cause?: unknown): CaptureError {
  return new CaptureError('LIST_TOO_LARGE', `The MCP server ${ctx.server} sent more than ${ctx.limits.maxListBytes} bytes of list results (at ${step}); raise the limit if this server really is that large.`, { cause });
}

async function fetchPage(request: PageRequest, method: ListMethod, cursor: string | undefined, step: string, pageNo: number): Promise<Record<string, unknown> | undefined> {
  try {
    return await request(method, cursor === undefined ? undefined : { cursor }, step);
  } catch (err) {
    // Only an unimplemented method means "no such list"; mid-pagination it is a fault.
    if (pageNo === 1 && (err as { code?: unknown } | null)?.code === METHOD_NOT_FOUND) return undefined;
    throw err;
  }
}
