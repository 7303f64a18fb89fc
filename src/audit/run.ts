import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { jsonDigest } from '../manifest/canonical.js';
import { TOOLSEAL_VERSION } from '../version.js';
import { auditServer, type AuditContext } from './audit-server.js';
import type { ResolvedPolicy } from './namespace-policy.js';
import { AUDIT_REPORT_MEDIA_TYPE, type AuditReport, type ServerAudit } from './result.js';
import { AUDIT_STATUSES } from './rules.js';
import type { RawEntry } from './sources.js';

/** Options of {@link runAudit}. */
export interface RunAuditOptions {
  /** Servers audited at once (default 8). */
  concurrency?: number;
  /** Called as each server finishes, in completion order. */
  onResult?: (result: ServerAudit, done: number, total: number) => void;
  /** Stops starting new servers; in-flight ones finish or abort. The report is then incomplete. */
  signal?: AbortSignal;
  /** Describes what was audited, for the report. */
  source: string;
}

/**
 * Audits every entry with bounded concurrency and returns the report, servers in input
 * order. An abort (Ctrl-C) stops the run between servers: what finished is reported and
 * cached, `complete` is false, and a re-run repeats only the rest.
 */
export async function runAudit(entries: RawEntry[], ctx: Omit<AuditContext, 'policyDigest' | 'inFlight'>, options: RunAuditOptions): Promise<AuditReport> {
  const context: AuditContext = { ...ctx, policyDigest: policyDigester(), inFlight: new Map() };
  const results: (ServerAudit | undefined)[] = new Array(entries.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length && !options.signal?.aborted) {
      const index = next++;
      try {
        results[index] = await auditServer(entries[index]!, context);
      } catch (err) {
        if (options.signal?.aborted) return;
        throw err;
      }
      options.onResult?.(results[index]!, ++done, entries.length);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, entries.length)) }, worker);
  await Promise.all(workers);
  const servers = results.filter((r): r is ServerAudit => r !== undefined);
  return {
    mediaType: AUDIT_REPORT_MEDIA_TYPE,
    toolVersion: TOOLSEAL_VERSION,
    source: options.source,
    complete: servers.length === entries.length,
    summary: summarize(servers),
    ...(ctx.cache ? { cache: { ...ctx.cache.stats } } : {}),
    servers,
  };
}

/** Counts per status. */
export function summarize(servers: ServerAudit[]): AuditReport['summary'] {
  const summary = Object.fromEntries(AUDIT_STATUSES.map((s) => [s, 0])) as AuditReport['summary'];
  for (const s of servers) summary[s.status]++;
  return summary;
}

/**
 * The cache key of a policy: the policy itself (keys as PEM), the GitHub owner check,
 * toolseal's version (verification rules change between versions) and, for a
 * trusted_root.json, the file's bytes, so editing any of them invalidates old entries.
 */
function policyDigester(): (resolved: ResolvedPolicy) => Promise<string> {
  const memo = new Map<ResolvedPolicy, Promise<string>>();
  const roots = new Map<string, Promise<string>>();
  const rootDigest = (path: string): Promise<string> => {
    if (!roots.has(path)) roots.set(path, readFile(path).then((b) => createHash('sha256').update(b).digest('hex'), () => 'unreadable'));
    return roots.get(path)!;
  };
  return (resolved) => {
    if (!memo.has(resolved)) {
      memo.set(resolved, (async () => {
        const trust = resolved.policy.trust;
        const root = trust.source === 'trusted-root' ? await rootDigest(trust.path) : null;
        return jsonDigest({ v: TOOLSEAL_VERSION, policy: resolved.policy, owner: resolved.githubOwner ?? null, root }).slice('sha256:'.length);
      })());
    }
    return memo.get(resolved)!;
  };
}
