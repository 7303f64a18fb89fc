/** The `_meta` key under which the official registry puts its own metadata about an entry. */
export const OFFICIAL_META_KEY = 'io.modelcontextprotocol.registry/official';

/** One entry of a server list, ready to audit: where it came from and its server.json value. */
export interface RawEntry {
  /** A registry URL with `#servers/<i>`, or a file path (with `#servers/<i>` for a saved page). */
  origin: string;
  value: unknown;
  /** `deprecated` when the registry says so; the audit reports it beside the verdict. */
  registryStatus?: 'deprecated';
}

/** What the registry's metadata says about an entry, in any shape the API has had. */
export type EntryListing =
  | { kind: 'audit'; entry: RawEntry }
  | { kind: 'skip'; why: 'not-latest' | 'deleted' };

/**
 * Reads one list entry as the registry API has shaped it over time: wrapped
 * (`{server, _meta: {"io.modelcontextprotocol.registry/official": {...}}}`, the current API),
 * or flat with the registry metadata inside `server._meta` (early v0), with `isLatest` or
 * the snake_case `is_latest`, and a `status` there or on the server itself. Versions that
 * are not the latest and deleted servers are skipped; a deprecated one is audited and marked.
 */
export function listEntry(value: unknown, origin: string): EntryListing {
  const wrapped = isObject(value) && 'server' in value;
  const server = wrapped ? (value as { server: unknown }).server : value;
  const official = officialMeta(wrapped ? value : undefined) ?? officialMeta(server);
  const latest = official?.isLatest ?? official?.is_latest;
  if (latest === false) return { kind: 'skip', why: 'not-latest' };
  const status = official?.status ?? (isObject(server) ? server.status : undefined);
  if (status === 'deleted') return { kind: 'skip', why: 'deleted' };
  return { kind: 'audit', entry: { origin, value: server, ...(status === 'deprecated' ? { registryStatus: 'deprecated' as const } : {}) } };
}

/** Counts of entries a listing left out, for the report. */
export interface SkipCounts {
  notLatest: number;
  deleted: number;
}

function officialMeta(holder: unknown): Record<string, unknown> | undefined {
  if (!isObject(holder) || !isObject(holder._meta)) return undefined;
  const official = holder._meta[OFFICIAL_META_KEY];
  return isObject(official) ? official : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
