import { InputError } from '../errors.js';
import type { TrustPolicy } from '../policy/policy.js';
import { createAttestationVerifier } from './attestation-verifier.js';
import { AuditCache, defaultAuditCacheDir } from './cache.js';
import type { RetryOptions } from '../io/http.js';
import type { LiveCheck } from './live.js';
import { loadNamespacePolicies } from './namespace-policy.js';
import { readRegistry, type RegistryEvent, type RegistryListing } from './registry-client.js';
import type { RawEntry } from './registry-entry.js';
import type { AuditListing, AuditReport, AuditRun, ServerAudit } from './result.js';
import { runAudit, type AuditProgress } from './run.js';
import { readServerJsonFiles, type FileListing } from './sources.js';
import type { AttestationVerifier } from './verifier.js';

/** Everything `toolseal audit` can be told; the CLI maps its flags onto this. */
export interface AuditOptions {
  /**
   * Registry base URL, or one ending in `/v0.1` or `/v0` (or `/servers`): `/v0.1/servers` is
   * preferred, `/v0/servers` the fallback. Exactly one of `registry` and `serverJson`.
   */
  registry?: string;
  /** server.json files, saved registry pages, or folders of them. */
  serverJson?: string[];
  /** Folder of bundles named by `bundleFileName`. */
  bundlesDir?: string;
  /** Audit policy file (namespace → identity). Without it only the GitHub default applies. */
  policyFile?: string;
  /** A trusted_root.json for every server; overrides the policy file's `trust`. */
  trustedRoot?: string;
  /** Public-good trust from the root embedded in `@sigstore/tuf`: no TUF refresh, no network for trust. */
  offline?: boolean;
  concurrency?: number;
  /** Cache folder; `false` disables the cache. Default {@link defaultAuditCacheDir}. */
  cacheDir?: string | false;
  /** Per-request retry and timeout settings for registry pages and bundles. */
  retry?: Omit<RetryOptions, 'signal'>;
  /** Most registry pages read (default 1000). */
  maxPages?: number;
  /** The verifier; default {@link createAttestationVerifier}. Tests and embedders plug in their own. */
  verifier?: AttestationVerifier;
  /** `--live`: a check that captures each verified server and compares. */
  live?: LiveCheck;
  signal?: AbortSignal;
  /** Each result, in list order, as soon as it is known; a returned promise holds the run (backpressure). */
  onResult?: (result: ServerAudit, progress: AuditProgress) => void | Promise<void>;
  /** Registry pages read, waits for a slow page, retries and API fallbacks (for progress output). */
  onRegistryEvent?: (event: RegistryEvent) => void;
  /** How often `onRegistryEvent` reports a page still outstanding (default a third of the timeout, 250 ms to 5 s). */
  waitNoticeMs?: number;
}

/**
 * Audits every server of a registry (or of server.json files) as a stream: the list is read
 * page by page while servers are verified, each result is handed to `onResult` in list
 * order and not kept, so memory stays flat however long the list. Returns the counts and
 * how the list was read. Per-server problems are statuses; only a failure to run at all
 * (bad options, an unreadable registry page, file or policy, unusable trust material) throws.
 *
 * @throws InputError `AUDIT_SOURCE_REQUIRED`, registry and file errors; PolicyError; TrustError
 */
export async function streamAudit(options: AuditOptions): Promise<AuditRun> {
  if ((options.registry === undefined) === (options.serverJson === undefined || options.serverJson.length === 0)) {
    throw new InputError('AUDIT_SOURCE_REQUIRED', 'Give exactly one source: --registry URL, or --server-json PATH (one or more).');
  }
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new InputError('AUDIT_CONCURRENCY_INVALID', `--concurrency must be a whole number from 1 to 256, not ${concurrency}.`);
  }
  const trust: TrustPolicy | undefined = options.trustedRoot ? { source: 'trusted-root', path: options.trustedRoot } : undefined;
  const policies = await loadNamespacePolicies(options.policyFile, trust);
  // Ends a prefetched page or bundle request as soon as the run stops, for whatever reason.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const fetch: RetryOptions = { ...options.retry, signal };
  const source = openSource(options, fetch);
  const cache = options.cacheDir === false ? undefined : await AuditCache.open(options.cacheDir ?? defaultAuditCacheDir());
  let deprecated = 0;
  try {
    const run = await runAudit(source.entries, {
      verifier: options.verifier ?? createAttestationVerifier({ ...(options.offline ? { offline: true } : {}) }),
      policies,
      ...(options.bundlesDir ? { bundlesDir: options.bundlesDir } : {}),
      ...(cache ? { cache } : {}),
      fetch,
      ...(options.live ? { live: options.live } : {}),
    }, {
      concurrency,
      source: options.registry ?? options.serverJson!.join(', '),
      seen: source.seen,
      ...(options.signal ? { signal: options.signal } : {}),
      onResult: (result, progress) => {
        if (result.registryStatus === 'deprecated') deprecated++;
        return options.onResult?.(result, progress);
      },
    });
    return { ...run, listing: { ...source.listing(), deprecated } };
  } finally {
    stop.abort();
  }
}

/**
 * {@link streamAudit} collecting every result into one report, servers in list order.
 * Convenient for small lists and tests; for a large registry, stream instead.
 */
export async function audit(options: AuditOptions): Promise<AuditReport> {
  const servers: ServerAudit[] = [];
  const run = await streamAudit({
    ...options,
    onResult: (result, progress) => {
      servers.push(result);
      return options.onResult?.(result, progress);
    },
  });
  return { ...run, servers };
}

interface OpenedSource {
  entries: AsyncIterable<RawEntry>;
  seen: () => { entries: number; listed: boolean };
  listing: () => Omit<AuditListing, 'deprecated'>;
}

function openSource(options: AuditOptions, fetch: RetryOptions): OpenedSource {
  if (options.registry !== undefined) {
    const { listing, entries } = readRegistry(options.registry, {
      ...fetch,
      ...(options.maxPages ? { maxPages: options.maxPages } : {}),
      ...(options.onRegistryEvent ? { onEvent: options.onRegistryEvent } : {}),
      ...(options.waitNoticeMs ? { waitNoticeMs: options.waitNoticeMs } : {}),
    });
    return { entries, seen: () => ({ entries: listing.entries, listed: listing.done }), listing: () => registryListing(listing) };
  }
  const { listing, entries } = readServerJsonFiles(options.serverJson!);
  return { entries, seen: () => ({ entries: listing.entries, listed: listing.done }), listing: () => fileListing(listing) };
}

function registryListing(l: RegistryListing): Omit<AuditListing, 'deprecated'> {
  return {
    ...(l.api ? { api: l.api } : {}), ...(l.url ? { url: l.url } : {}), latestQuery: l.latestQuery, pages: l.pages,
    skippedNotLatest: l.skipped.notLatest, skippedDeleted: l.skipped.deleted,
  };
}

function fileListing(l: FileListing): Omit<AuditListing, 'deprecated'> {
  return { files: l.files, skippedNotLatest: l.skipped.notLatest, skippedDeleted: l.skipped.deleted };
}
