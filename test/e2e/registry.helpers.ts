import { startLoopbackServer, type RouteResponse } from '../../src/testing/http-server.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';

/** One registry row: a server.json and what the registry says about it. */
export interface RegistryRow {
  server: Record<string, unknown>;
  status?: 'active' | 'deprecated' | 'deleted';
  /** Default true. */
  isLatest?: boolean;
}

/** How the fixture behaves: which API paths it serves and in which shape. */
export interface RegistryFixtureOptions {
  /** Servers per page at most (the client's `limit` may ask for fewer). Default 3. */
  pageSize?: number;
  /** API versions served. Default both. */
  apis?: ('v0.1' | 'v0')[];
  /**
   * `wrapped`: `{server, _meta: {official}}` (the current API); `flat`: the server.json with the
   * registry metadata inside `server._meta` (early v0). v0.1 is always wrapped.
   */
  v0Shape?: 'wrapped' | 'flat';
  /** `camel`: `isLatest`; `snake`: `is_latest` (early v0). */
  metaStyle?: 'camel' | 'snake';
  /** The last page says `"nextCursor": null` instead of leaving it out. */
  nullCursor?: boolean;
  /** Whether `version=latest` is understood (else it is answered 400). Default true. */
  latestQuery?: boolean;
  /** Every cursor points back to the first page. */
  loopCursor?: boolean;
  /** Served under this path prefix (e.g. `/mirror`). */
  basePath?: string;
  /** Milliseconds before answering the page that starts at row `start` (0 for the first). */
  delayMs?: (start: number) => number;
}

/** A running fixture: its base URL and what was asked of it. */
export interface RegistryFixture {
  url: string;
  rows: RegistryRow[];
  /** Page requests per API version. */
  pages: { 'v0.1': number; v0: number };
  /** Every query string asked for, in order. */
  queries: string[];
  close(): Promise<void>;
}

/**
 * A loopback MCP registry of the project's own, modelled on the official one: cursor
 * pagination with opaque cursors, `limit`, `version=latest`, `/v0.1/servers` and
 * `/v0/servers`, both shapes of entries and both spellings of the registry's metadata,
 * deprecated, deleted and older-version rows. Rows can be added while it runs.
 */
export async function startRegistryFixture(rows: RegistryRow[], options: RegistryFixtureOptions = {}): Promise<RegistryFixture> {
  const state = { pages: { 'v0.1': 0, v0: 0 }, queries: [] as string[] };
  const base = options.basePath ?? '';
  const apis = options.apis ?? ['v0.1', 'v0'];
  const server = await startLoopbackServer(async (req) => {
    const api = req.url.pathname === `${base}/v0.1/servers` ? 'v0.1' : req.url.pathname === `${base}/v0/servers` ? 'v0' : undefined;
    if (!api || !apis.includes(api)) return undefined;
    state.pages[api]++;
    state.queries.push(req.url.search);
    const cursor = req.url.searchParams.get('cursor');
    const delay = options.delayMs?.(cursor === null ? 0 : Number(Buffer.from(cursor, 'base64url').toString('utf8'))) ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay).unref());
    return page(rows, api, req.url.searchParams, options);
  });
  return { url: `${server.url}${base}`, rows, get pages() { return state.pages; }, queries: state.queries, close: () => server.close() };
}

function page(rows: RegistryRow[], api: 'v0.1' | 'v0', query: URLSearchParams, options: RegistryFixtureOptions): RouteResponse {
  const version = query.get('version');
  if (version !== null && (options.latestQuery === false || version !== 'latest')) return { status: 400, body: '{"title":"Bad Request","detail":"unknown parameter version"}' };
  const visible = rows.filter((r) => version !== 'latest' || r.isLatest !== false);
  const cursor = query.get('cursor');
  const start = cursor === null ? 0 : Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0) return { status: 400, body: '{"detail":"bad cursor"}' };
  const limit = Math.min(options.pageSize ?? 3, Number(query.get('limit') ?? 100));
  const slice = visible.slice(start, start + limit);
  const more = start + limit < visible.length;
  const next = more ? Buffer.from(String(options.loopCursor ? 0 : start + limit)).toString('base64url') : options.nullCursor ? null : undefined;
  const servers = slice.map((row) => entry(row, api === 'v0.1' ? 'wrapped' : options.v0Shape ?? 'wrapped', options.metaStyle ?? 'camel'));
  return { status: 200, body: JSON.stringify({ servers, metadata: { count: servers.length, ...(next !== undefined ? { nextCursor: next } : {}) } }) };
}

function entry(row: RegistryRow, shape: 'wrapped' | 'flat', style: 'camel' | 'snake'): unknown {
  const latest = row.isLatest ?? true;
  const official = style === 'camel'
    ? { status: row.status ?? 'active', publishedAt: '2025-09-01T00:00:00Z', updatedAt: '2025-09-01T00:00:00Z', isLatest: latest }
    : { status: row.status ?? 'active', published_at: '2025-09-01T00:00:00Z', is_latest: latest };
  if (shape === 'wrapped') return { server: row.server, _meta: { [OFFICIAL]: official } };
  const meta = (row.server._meta as Record<string, unknown> | undefined) ?? {};
  return { ...row.server, _meta: { ...meta, [OFFICIAL]: official } };
}
