import { InputError } from '../errors.js';
import type { TrustPolicy } from '../policy/policy.js';
import { createAttestationVerifier } from './attestation-verifier.js';
import { AuditCache, defaultAuditCacheDir } from './cache.js';
import type { RetryOptions } from './fetch-retry.js';
import type { LiveCheck } from './live.js';
import { loadNamespacePolicies } from './namespace-policy.js';
import { listRegistryServers } from './registry-client.js';
import type { AuditReport, ServerAudit } from './result.js';
import { runAudit } from './run.js';
import { readServerJsonPaths } from './sources.js';
import type { AttestationVerifier } from './verifier.js';

/** Everything `toolseal audit` can be told; the CLI maps its flags onto this. */
export interface AuditOptions {
  /** Registry base URL (`/v0/servers` is appended). Exactly one of `registry` and `serverJson`. */
  registry?: string;
  /** server.json files, saved registry pages, or folders of them. */
  serverJson?: string[];
  /** Folder of bundles named by `bundleFileName`. */
  bundlesDir?: string;
  /** Audit policy file (namespace → identity). Without it only the GitHub default applies. */
  policyFile?: string;
  /** A trusted_root.json for every server; overrides the policy file's `trust`. */
  trustedRoot?: string;
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
  onResult?: (result: ServerAudit, done: number, total: number) => void;
}

/**
 * Audits every server of a registry (or of server.json files): finds each one's
 * attestation, verifies it under the policy for its namespace, and returns one status
 * per server. Per-server problems are statuses in the report; only a failure to run at
 * all (bad options, unreadable registry or policy, unusable trust material) throws.
 *
 * @throws InputError `AUDIT_SOURCE_REQUIRED`, registry and file errors; PolicyError; TrustError
 */
export async function audit(options: AuditOptions): Promise<AuditReport> {
  if ((options.registry === undefined) === (options.serverJson === undefined || options.serverJson.length === 0)) {
    throw new InputError('AUDIT_SOURCE_REQUIRED', 'Give exactly one source: --registry URL, or --server-json PATH (one or more).');
  }
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new InputError('AUDIT_CONCURRENCY_INVALID', `--concurrency must be a whole number from 1 to 256, not ${concurrency}.`);
  }
  const trust: TrustPolicy | undefined = options.trustedRoot ? { source: 'trusted-root', path: options.trustedRoot } : undefined;
  const policies = await loadNamespacePolicies(options.policyFile, trust);
  const fetch: RetryOptions = { ...options.retry, ...(options.signal ? { signal: options.signal } : {}) };
  const entries = options.registry !== undefined
    ? await listRegistryServers(options.registry, { ...fetch, ...(options.maxPages ? { maxPages: options.maxPages } : {}) })
    : await readServerJsonPaths(options.serverJson!);
  const cache = options.cacheDir === false ? undefined : await AuditCache.open(options.cacheDir ?? defaultAuditCacheDir());
  return runAudit(entries, {
    verifier: options.verifier ?? createAttestationVerifier(),
    policies,
    ...(options.bundlesDir ? { bundlesDir: options.bundlesDir } : {}),
    ...(cache ? { cache } : {}),
    fetch,
    ...(options.live ? { live: options.live } : {}),
  }, {
    concurrency,
    source: options.registry ?? options.serverJson!.join(', '),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onResult ? { onResult: options.onResult } : {}),
  });
}
