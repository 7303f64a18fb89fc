import { z } from 'zod';
import { InputError } from '../errors.js';
import { parseStrictJson } from '../io/strict-json.js';
import { formatZodIssues } from '../io/zod-issues.js';
import { fetchWithRetry, type RetryOptions } from './fetch-retry.js';
import type { RawEntry } from './sources.js';

/** A page of `GET /v0/servers`; only the fields the audit walks are checked. */
const PageSchema = z.looseObject({
  servers: z.array(z.unknown()),
  metadata: z.looseObject({
    nextCursor: z.string().optional(),
    next_cursor: z.string().optional(),
  }).optional(),
});

/** Options for {@link listRegistryServers}. */
export interface RegistryListOptions extends RetryOptions {
  /** Servers per page asked for (default 100, the registry's maximum). */
  pageSize?: number;
  /** Stop with an error after this many pages (default 1000), a guard against endless lists. */
  maxPages?: number;
  /** Keep every version, not only the latest of each server (default false). */
  allVersions?: boolean;
}

/**
 * The `/v0/servers` URL for a registry base URL: `https://registry.example` becomes
 * `https://registry.example/v0/servers`; a URL already ending in `/servers` is kept.
 */
export function serversUrl(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch (err) {
    throw new InputError('REGISTRY_URL_INVALID', `--registry "${base}" is not a URL. Pass the registry's base URL, e.g. https://registry.modelcontextprotocol.io.`, { cause: err });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError('REGISTRY_URL_INVALID', `--registry "${base}" is not an http(s) URL.`);
  }
  if (!/\/servers\/?$/.test(url.pathname)) url.pathname = `${url.pathname.replace(/\/+$/, '')}/v0/servers`;
  return url;
}

/**
 * Reads every page of a registry's server list by cursor. Entries that are not valid
 * server.json documents are still returned (the audit reports them as malformed); a
 * page the audit cannot read at all stops the audit, because a partial list would let
 * unaudited servers pass silently.
 *
 * @throws InputError `REGISTRY_UNREACHABLE`, `REGISTRY_RESPONSE_INVALID`, `REGISTRY_CURSOR_LOOP`, `REGISTRY_PAGE_LIMIT`
 */
export async function listRegistryServers(base: string, options: RegistryListOptions = {}): Promise<RawEntry[]> {
  const first = serversUrl(base);
  const maxPages = options.maxPages ?? 1000;
  const seen = new Set<string>();
  const entries: RawEntry[] = [];
  let cursor: string | undefined;
  for (let page = 1; ; page++) {
    if (page > maxPages) {
      throw new InputError('REGISTRY_PAGE_LIMIT', `${first.origin} still had more servers after ${maxPages} pages; the audit stopped rather than report a partial list. Raise --max-pages if the registry really is that large.`);
    }
    const url = new URL(first);
    url.searchParams.set('limit', String(options.pageSize ?? 100));
    if (cursor !== undefined) url.searchParams.set('cursor', cursor);
    const body = await readPage(url, options);
    body.servers.forEach((value, i) => entries.push(...unwrap(value, `${url.href}#servers/${i}`, options.allVersions ?? false)));
    const next = body.metadata?.nextCursor ?? body.metadata?.next_cursor;
    if (next === undefined || next === '') return entries;
    if (seen.has(next)) {
      throw new InputError('REGISTRY_CURSOR_LOOP', `${first.origin} answered the cursor "${next.slice(0, 80)}" a second time (page ${page}); its pagination loops. Report it to the registry operator.`);
    }
    seen.add(next);
    cursor = next;
  }
}

async function readPage(url: URL, options: RetryOptions): Promise<z.infer<typeof PageSchema>> {
  const outcome = await fetchWithRetry(url.href, options);
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
    throw new InputError('REGISTRY_RESPONSE_INVALID', `The registry's answer to ${url.href} is not a /v0/servers page: ${formatZodIssues(page.error)}. Is --registry an MCP registry?`);
  }
  return page.data;
}

/**
 * One list entry → the server.json inside it. Current registries wrap it as
 * `{server, _meta}` with registry metadata beside it; early v0 answers were flat.
 */
function unwrap(value: unknown, origin: string, allVersions: boolean): RawEntry[] {
  if (value !== null && typeof value === 'object' && 'server' in value) {
    const wrapped = value as { server: unknown; _meta?: Record<string, { isLatest?: unknown } | undefined> };
    const official = wrapped._meta?.['io.modelcontextprotocol.registry/official'];
    if (!allVersions && official?.isLatest === false) return [];
    return [{ origin, value: wrapped.server }];
  }
  return [{ origin, value }];
}
