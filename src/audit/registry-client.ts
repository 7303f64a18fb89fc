import { z } from 'zod';
import { InputError } from '../errors.js';
import { parseStrictJson } from '../io/strict-json.js';
import { formatZodIssues } from '../io/zod-issues.js';
import { fetchWithRetry, type FetchOutcome, type RetryOptions } from '../io/http.js';
import { listEntry, type RawEntry, type SkipCounts } from './registry-entry.js';
import { registryEndpoints, type RegistryApi, type RegistryEndpoint } from './registry-url.js';

/**
 * A page of `GET /servers`; only the fields the audit walks are checked. The OpenAPI says
 * "if null or empty, there are no more results", so a null cursor ends the list.
 */
const PageSchema = z.looseObject({
  servers: z.array(z.unknown()),
  metadata: z.looseObject({
    nextCursor: z.string().nullable().optional(),
    next_cursor: z.string().nullable().optional(),
  }).nullable().optional(),
});
type Page = z.infer<typeof PageSchema>;

/** Something the reader reports while it works (for progress output). */
export type RegistryEvent =
  | { kind: 'page'; page: number; url: string; servers: number; total: number }
  | { kind: 'waiting'; page: number; url: string; waitedMs: number; timeoutMs: number }
  | { kind: 'retry'; page: number; url: string; attempt: number; attempts: number; reason: string; delayMs: number }
  | { kind: 'fallback'; from: string; to: string; reason: string };

/** Options for {@link readRegistry}. */
export interface RegistryListOptions extends RetryOptions {
  /** Servers per page asked for (default 100, the registry's maximum). */
  pageSize?: number;
  /** Stop with an error after this many pages (default 1000), a guard against endless lists. */
  maxPages?: number;
  /** Keep every version, not only the latest of each server (default false). */
  allVersions?: boolean;
  onEvent?: (event: RegistryEvent) => void;
  /** How often a `waiting` event is sent while a page is outstanding (default a third of the timeout, 250 ms to 5 s). */
  waitNoticeMs?: number;
}

/** How a registry was read, known once its first page answered and complete at the end. */
export interface RegistryListing {
  /** The API version that answered, and its list URL. */
  api?: RegistryApi;
  url?: string;
  /** True when the registry filtered by `version=latest` itself. */
  latestQuery: boolean;
  pages: number;
  /** Entries seen so far (after skipping). */
  entries: number;
  /** True once the last page has been read. */
  done: boolean;
  skipped: SkipCounts;
}

/** Statuses that say "this API version is not served here", so the next one is tried. */
const NOT_SERVED = new Set([404, 405, 501]);
/** Statuses a registry that does not know `version=latest` may answer it with. */
const QUERY_REFUSED = new Set([400, 422]);

/**
 * Reads a registry's server list page by page, as a stream: the next page is fetched while
 * the entries of the current one are audited, and nothing is kept once it is handed on.
 * Only the latest version of each server is yielded, deleted servers never. A page the
 * audit cannot read at all stops it, because a partial list would let servers pass unaudited.
 *
 * @throws InputError `REGISTRY_URL_INVALID`, `REGISTRY_UNREACHABLE`, `REGISTRY_RESPONSE_INVALID`,
 *   `REGISTRY_CURSOR_LOOP`, `REGISTRY_PAGE_LIMIT` (from the iterator)
 */
export function readRegistry(base: string, options: RegistryListOptions = {}): { listing: RegistryListing; entries: AsyncIterable<RawEntry> } {
  const endpoints = registryEndpoints(base);
  const listing: RegistryListing = { latestQuery: false, pages: 0, entries: 0, done: false, skipped: { notLatest: 0, deleted: 0 } };
  return { listing, entries: walk(endpoints, listing, options) };
}

/** Reads the whole list into memory (small registries, tests); {@link readRegistry} streams. */
export async function listRegistryServers(base: string, options: RegistryListOptions = {}): Promise<RawEntry[]> {
  const entries: RawEntry[] = [];
  for await (const entry of readRegistry(base, options).entries) entries.push(entry);
  return entries;
}

async function* walk(endpoints: RegistryEndpoint[], listing: RegistryListing, options: RegistryListOptions): AsyncGenerator<RawEntry> {
  const maxPages = options.maxPages ?? 1000;
  const { endpoint, url, page: firstPage } = await firstPage_(endpoints, listing, options);
  const seen = new Set<string>();
  let page: Page = firstPage;
  let pageUrl = url;
  for (let n = 1; ; n++) {
    const next = page.metadata?.nextCursor ?? page.metadata?.next_cursor ?? undefined;
    let pending: Promise<{ url: URL; page: Page }> | undefined;
    if (next !== undefined && next !== '') {
      if (seen.has(next)) throw new InputError('REGISTRY_CURSOR_LOOP', `${endpoint.url.origin} answered the cursor "${next.slice(0, 80)}" a second time (page ${n}); its pagination loops. Report it to the registry operator.`);
      if (n + 1 > maxPages) throw new InputError('REGISTRY_PAGE_LIMIT', `${endpoint.url.origin} still had more servers after ${maxPages} pages; the audit stopped rather than report a partial list. Raise --max-pages if the registry really is that large.`);
      seen.add(next);
      const nextUrl = pageQuery(endpoint, listing, options, next);
      pending = readPage(nextUrl, n + 1, options).then((p) => ({ url: nextUrl, page: p }));
      // Awaited below; this only keeps a rejection from counting as unhandled if the consumer stops early.
      pending.catch(() => {});
    }
    const kept = pageEntries(page, pageUrl, n, listing, options);
    if (!pending) listing.done = true;
    yield* kept;
    if (!pending) return;
    ({ url: pageUrl, page } = await pending);
  }
}

/** The first page, trying each API version and dropping `version=latest` if it is refused. */
async function firstPage_(endpoints: RegistryEndpoint[], listing: RegistryListing, options: RegistryListOptions): Promise<{ endpoint: RegistryEndpoint; url: URL; page: Page }> {
  for (const [i, endpoint] of endpoints.entries()) {
    listing.latestQuery = !options.allVersions;
    let url = pageQuery(endpoint, listing, options);
    let outcome = await fetchPage(url, 1, options);
    if (!outcome.ok && outcome.kind === 'http' && QUERY_REFUSED.has(outcome.status) && listing.latestQuery) {
      listing.latestQuery = false;
      options.onEvent?.({ kind: 'fallback', from: url.href, to: 'no version=latest filter', reason: `${outcome.message}; filtering latest versions from the entries' metadata instead` });
      url = pageQuery(endpoint, listing, options);
      outcome = await fetchPage(url, 1, options);
    }
    const later = endpoints[i + 1];
    if (!outcome.ok && outcome.kind === 'http' && NOT_SERVED.has(outcome.status) && later) {
      options.onEvent?.({ kind: 'fallback', from: endpoint.url.href, to: later.url.href, reason: `${outcome.message}: the registry does not serve the ${endpoint.api} API here` });
      continue;
    }
    listing.api = endpoint.api;
    listing.url = endpoint.url.href;
    return { endpoint, url, page: pageOf(url, outcome) };
  }
  throw new Error('registryEndpoints returned no endpoint');
}

function pageQuery(endpoint: RegistryEndpoint, listing: RegistryListing, options: RegistryListOptions, cursor?: string): URL {
  const url = new URL(endpoint.url);
  url.searchParams.set('limit', String(options.pageSize ?? 100));
  if (listing.latestQuery) url.searchParams.set('version', 'latest');
  if (cursor !== undefined) url.searchParams.set('cursor', cursor);
  return url;
}

/** The entries of one page worth auditing (a page is at most `pageSize` long), counted and reported. */
function pageEntries(page: Page, url: URL, n: number, listing: RegistryListing, options: RegistryListOptions): RawEntry[] {
  const kept: RawEntry[] = [];
  for (const [i, value] of page.servers.entries()) {
    const origin = `${url.href}#servers/${i}`;
    const listed = listEntry(value, origin);
    if (listed.kind === 'audit') kept.push(listed.entry);
    else if (listed.why === 'not-latest' && options.allVersions) kept.push({ origin, value: serverOf(value) });
    else listing.skipped[listed.why === 'deleted' ? 'deleted' : 'notLatest']++;
  }
  listing.pages++;
  listing.entries += kept.length;
  options.onEvent?.({ kind: 'page', page: n, url: url.href, servers: kept.length, total: listing.entries });
  return kept;
}

function serverOf(value: unknown): unknown {
  return value !== null && typeof value === 'object' && 'server' in value ? (value as { server: unknown }).server : value;
}

async function readPage(url: URL, page: number, options: RegistryListOptions): Promise<Page> {
  return pageOf(url, await fetchPage(url, page, options));
}

/** One page request, reporting retries and, while it is outstanding, how long it has waited. */
async function fetchPage(url: URL, page: number, options: RegistryListOptions): Promise<FetchOutcome> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const notice = options.onEvent
    ? setInterval(() => options.onEvent!({ kind: 'waiting', page, url: url.href, waitedMs: Date.now() - started, timeoutMs }), options.waitNoticeMs ?? Math.min(5000, Math.max(250, Math.floor(timeoutMs / 3))))
    : undefined;
  notice?.unref();
  try {
    return await fetchWithRetry(url.href, {
      ...options,
      onRetry: (u, f) => options.onEvent?.({ kind: 'retry', page, url: u, attempt: f.attempt, attempts: f.attempts, reason: f.message, delayMs: f.delayMs }),
    });
  } finally {
    clearInterval(notice);
  }
}

function pageOf(url: URL, outcome: FetchOutcome): Page {
  if (!outcome.ok) {
    throw new InputError('REGISTRY_UNREACHABLE', `The registry at ${url.origin} could not be read (${outcome.message} from ${url.href} after ${outcome.attempts} attempt(s)). Check --registry and the network, then run the audit again.`);
  }
  let value: unknown;
  try {
    value = parseStrictJson(new TextDecoder('utf-8', { fatal: true }).decode(outcome.bytes), url.href);
  } catch (err) {
    throw new InputError('REGISTRY_RESPONSE_INVALID', `The registry answered ${url.href} with something that is not strict UTF-8 JSON (${(err as Error).message}). Is --registry an MCP registry?`, { cause: err });
  }
  const page = PageSchema.safeParse(value);
  if (!page.success) {
    throw new InputError('REGISTRY_RESPONSE_INVALID', `The registry's answer to ${url.href} is not a /servers page: ${formatZodIssues(page.error)}. Is --registry an MCP registry?`);
  }
  return page.data;
}
