import { CaptureError } from '../errors.js';
import type { CaptureLimits } from '../manifest/capture/options.js';
import { listSpec, type ListName } from '../manifest/lists.js';

/** Sends one request upstream and resolves with its result; rejects with the JSON-RPC error. */
export type UpstreamRequest = (method: string, params: Record<string, unknown> | undefined) => Promise<Record<string, unknown>>;

/** A JSON-RPC error from the server, kept apart from transport failures. */
export class UpstreamRpcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/**
 * Reads every page of one list. A server that answers "method not found" has no such list
 * (empty). Limits: `maxPages` pages, `maxListBytes` serialized bytes, and a cursor seen twice
 * is a loop; each is a `CaptureError`, because a list the guard cannot read in full cannot
 * be verified.
 *
 * @throws CaptureError `CAPTURE_TOO_MANY_PAGES`, `CAPTURE_TOO_LARGE`, `CAPTURE_CURSOR_LOOP`, `CAPTURE_BAD_RESULT`, `CAPTURE_RPC_ERROR`
 */
export async function readWholeList(request: UpstreamRequest, list: ListName, limits: CaptureLimits, server: string): Promise<unknown[]> {
  const { method, resultKey: field } = listSpec(list);
  const entries: unknown[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  let bytes = 0;
  for (let page = 1; ; page++) {
    if (page > limits.maxPages) throw new CaptureError('CAPTURE_TOO_MANY_PAGES', `${server} returned more than ${limits.maxPages} pages of ${method}; the list cannot be verified.`);
    let result: Record<string, unknown>;
    try {
      result = await request(method, cursor === undefined ? undefined : { cursor });
    } catch (err) {
      if (err instanceof UpstreamRpcError && err.code === -32601 && page === 1) return [];
      if (err instanceof UpstreamRpcError) throw new CaptureError('CAPTURE_RPC_ERROR', `${server} answered ${method} with error ${err.code}: ${err.message}`, { cause: err });
      throw err;
    }
    const items = result[field];
    if (!Array.isArray(items)) throw new CaptureError('CAPTURE_BAD_RESULT', `${server} answered ${method} without a "${field}" array.`);
    bytes += JSON.stringify(items).length;
    if (bytes > limits.maxListBytes) throw new CaptureError('CAPTURE_TOO_LARGE', `${server}'s ${method} exceeds ${limits.maxListBytes} bytes; the list cannot be verified.`);
    entries.push(...items);
    const next = result.nextCursor;
    if (next === undefined || next === null || next === '') return entries;
    if (typeof next !== 'string') throw new CaptureError('CAPTURE_BAD_RESULT', `${server} answered ${method} with a nextCursor that is not a string.`);
    if (seen.has(next)) throw new CaptureError('CAPTURE_CURSOR_LOOP', `${server} repeated the cursor "${next.slice(0, 40)}" in ${method}; the list never ends.`);
    seen.add(next);
    cursor = next;
  }
}
