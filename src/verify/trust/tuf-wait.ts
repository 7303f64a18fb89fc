import { initTUF } from '@sigstore/tuf';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TrustError } from '../../errors.js';

const TRUSTED_ROOT_TARGET = 'trusted_root.json';

/** How long the mirror may take when a cached copy can stand in, and when none can. */
export const TUF_WAIT = Object.freeze({ withCacheMs: 2000, withoutCacheMs: 15_000 });

/** Where to fetch from and cache, and who hears that the cached copy was used. */
export interface TufFetch {
  mirrorURL: string;
  rootPath: string | undefined;
  cachePath: string;
  description: string;
  /** Told (one line) when the mirror did not answer in time and the cached copy is used. */
  onNote: (line: string) => void;
}

/**
 * The trusted root from a TUF repository, never waiting silently. With metadata cached
 * by an earlier refresh, the mirror gets at most 2 s (the TUF client reads a cache whose
 * timestamp is unexpired without any network); when it does not answer in time, or fails,
 * the cached trusted root is used, saying so and how old it is. Without a cache, the
 * mirror gets at most 15 s, then a TrustError says what to do. Each fetch is bounded too,
 * so nothing left running in the background keeps the process alive for long.
 *
 * @throws TrustError `TUF_UNAVAILABLE`
 */
export async function fetchTrustedRoot(options: TufFetch): Promise<string> {
  const cached = cachedTrustedRoot(options);
  const waitMs = cached ? TUF_WAIT.withCacheMs : TUF_WAIT.withoutCacheMs;
  const fresh = (async () => {
    const tuf = await initTUF({
      mirrorURL: options.mirrorURL, ...(options.rootPath !== undefined ? { rootPath: options.rootPath } : {}), cachePath: options.cachePath, forceCache: true,
      // Per fetch: within the wait with a cache; two tries of 5 s (and a backoff) within 15 s without one.
      timeout: cached ? waitMs : 5000, retry: cached ? { retries: 0 } : { retries: 1, minTimeout: 1000, maxTimeout: 1000 },
    });
    return tuf.getTarget(TRUSTED_ROOT_TARGET);
  })();
  const outcome = await settleWithin(fresh, waitMs);
  if (outcome.ok) return outcome.value;
  if (cached) {
    options.onNote(`toolseal: ${options.description}: the mirror ${outcome.timedOut ? `did not answer within ${waitMs / 1000} s` : 'could not be read'}; using the cached trusted root from ${age(cached.ageMs)} ago (${cached.path}).`);
    return cached.text;
  }
  const why = outcome.timedOut ? `the mirror ${options.mirrorURL} did not answer within ${waitMs / 1000} s` : (outcome.error as Error).message;
  throw new TrustError('TUF_UNAVAILABLE', `Could not get the trusted root from ${options.description} (${why}). Check the network (the first run must reach the TUF mirror; later runs can use the cache), or verify offline with --trusted-root FILE or --offline (the root embedded in @sigstore/tuf).`, { cause: outcome.error });
}

type Outcome = { ok: true; value: string } | { ok: false; timedOut: boolean; error?: unknown };

async function settleWithin(promise: Promise<string>, ms: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => { timer = setTimeout(() => resolve({ ok: false, timedOut: true }), ms); });
  const settled = promise.then((value): Outcome => ({ ok: true, value }), (error: unknown): Outcome => ({ ok: false, timedOut: false, error }));
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The trusted root of the last successful refresh, if there was one: the TUF client keeps
 * it under `<cache>/<host+path>/targets/`. A `timestamp.json` beside it marks a real refresh
 * (a first run seeds only `root.json` and the package's own copy of the target).
 */
function cachedTrustedRoot(options: TufFetch): { text: string; ageMs: number; path: string } | undefined {
  const url = new URL(options.mirrorURL);
  const repo = join(options.cachePath, encodeURIComponent(url.host + url.pathname.replace(/\/$/, '')));
  const path = join(repo, 'targets', TRUSTED_ROOT_TARGET);
  try {
    const refreshed = statSync(join(repo, 'timestamp.json')).mtimeMs;
    return { text: readFileSync(path, 'utf8'), ageMs: Math.max(0, Date.now() - refreshed), path };
  } catch {
    return undefined;
  }
}

function age(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} hours` : `${Math.round(hours / 24)} days`;
}
