import { describe, expect, it } from 'vitest';
import { readAllPages, type PageRequest } from '../../src/manifest/capture/pages.js';

const limits = { maxPages: 5, maxListBytes: 10_000 };
const ctx = { server: '"fixture"', limits };

/** Serves the given pages in order, following the cursors they name; records what was asked. */
function pages(...results: Record<string, unknown>[]): { request: PageRequest; asked: (string | undefined)[] } {
  const asked: (string | undefined)[] = [];
  const request: PageRequest = async (_method, params) => {
    asked.push(params?.cursor);
    const next = results[asked.length - 1];
    if (next === undefined) throw new Error('asked for a page that does not exist');
    return next;
  };
  return { request, asked };
}

class RpcError extends Error {
  constructor(readonly code: number) { super(`rpc ${code}`); }
}

describe('readAllPages (the one page reader of capture and the guard)', () => {
  it('follows cursors and ends at an absent, null or empty nextCursor', async () => {
    for (const end of [{}, { nextCursor: null }, { nextCursor: '' }]) {
      const { request, asked } = pages({ tools: [{ name: 'a' }], nextCursor: 'c2' }, { tools: [{ name: 'b' }], ...end });
      await expect(readAllPages(request, 'tools', ctx)).resolves.toEqual([{ name: 'a' }, { name: 'b' }]);
      expect(asked).toEqual([undefined, 'c2']);
    }
  });

  it('refuses a repeated cursor, too many pages and a cursor that is not a string, by code', async () => {
    const loop = pages({ tools: [], nextCursor: 'a' }, { tools: [], nextCursor: 'a' });
    await expect(readAllPages(loop.request, 'tools', ctx)).rejects.toMatchObject({ code: 'CURSOR_LOOP' });
    const endless: PageRequest = async (_m, params) => ({ tools: [], nextCursor: `${params?.cursor ?? ''}x` });
    await expect(readAllPages(endless, 'tools', ctx)).rejects.toMatchObject({ code: 'TOO_MANY_PAGES' });
    const numeric = pages({ tools: [], nextCursor: 2 });
    await expect(readAllPages(numeric.request, 'tools', ctx)).rejects.toMatchObject({ code: 'LIST_MALFORMED' });
    const noArray = pages({ tools: { name: 'a' } });
    await expect(readAllPages(noArray.request, 'tools', ctx)).rejects.toMatchObject({ code: 'LIST_MALFORMED' });
  });

  it('counts UTF-8 bytes of whole results against one budget shared by the lists of a read', async () => {
    const result = { tools: [{ name: 'é'.repeat(100) }] };
    const bytes = Buffer.byteLength(JSON.stringify(result), 'utf8');
    expect(bytes).toBeGreaterThan(JSON.stringify(result).length);
    const tight = { server: ctx.server, limits: { maxPages: 5, maxListBytes: bytes - 1 } };
    await expect(readAllPages(pages(result).request, 'tools', tight)).rejects.toMatchObject({ code: 'LIST_TOO_LARGE' });
    const budget = { usedBytes: 0 };
    const shared = { server: ctx.server, limits: { maxPages: 5, maxListBytes: bytes + 10 } };
    await readAllPages(pages(result).request, 'tools', shared, budget);
    expect(budget.usedBytes).toBe(bytes);
    await expect(readAllPages(pages({ prompts: [{ name: 'p' }] }).request, 'prompts', shared, budget)).rejects.toMatchObject({ code: 'LIST_TOO_LARGE' });
  });

  it('reads "method not found" on the first page as no list, and as a fault later', async () => {
    const missing: PageRequest = async () => { throw new RpcError(-32601); };
    await expect(readAllPages(missing, 'resourceTemplates', ctx)).resolves.toEqual([]);
    let n = 0;
    const later: PageRequest = async () => {
      if (++n === 1) return { resources: [], nextCursor: 'p2' };
      throw new RpcError(-32601);
    };
    await expect(readAllPages(later, 'resources', ctx)).rejects.toMatchObject({ code: -32601 });
    const other: PageRequest = async () => { throw new RpcError(-32603); };
    await expect(readAllPages(other, 'tools', ctx)).rejects.toMatchObject({ code: -32603 });
  });
});
