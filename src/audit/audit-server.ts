import { ToolsealError } from '../errors.js';
import { parseStrictJson } from '../io/strict-json.js';
import { sha256Hex } from '../manifest/canonical.js';
import { describeSigner } from '../verify/identity/describe.js';
import type { SignerIdentity } from '../verify/identity/types.js';
import type { AuditCache, CachedOutcome } from './cache.js';
import type { RetryOptions } from '../io/http.js';
import type { LiveCheck } from './live.js';
import type { NamespacePolicies, ResolvedPolicy } from './namespace-policy.js';
import type { OutcomeMemo } from './outcome-memo.js';
import type { ServerAudit } from './result.js';
import { auditRule, type AuditRuleName } from './rules.js';
import { parseServerJson, type ServerJson, type ToolsealMeta } from './server-json.js';
import type { RawEntry } from './registry-entry.js';
import { entryMismatch, loadEntryBundle } from './entry-bundle.js';
import { classifyVerifyError, type AttestationVerifier } from './verifier.js';

/** What auditing one server needs; shared by every server of a run. */
export interface AuditContext {
  verifier: AttestationVerifier;
  policies: NamespacePolicies;
  /** A folder of bundles named `<namespace>__<name>.sigstore.json` (see `bundleFileName`). */
  bundlesDir?: string;
  cache?: AuditCache;
  fetch: RetryOptions;
  /** `--live`: capture the running server and compare it with the signed manifest. */
  live?: LiveCheck;
  /** The hex digest identifying a policy (and its trust material) in cache keys. */
  policyDigest(resolved: ResolvedPolicy): Promise<string>;
  /** Verifications of this run by cache key (bounded), so a shared bundle is verified once. */
  verifications: OutcomeMemo;
}

type Base = Pick<ServerAudit, 'name' | 'origin'> & Partial<ServerAudit>;

function result(base: Base, rule: AuditRuleName, reason: string, extra: Partial<ServerAudit> = {}): ServerAudit {
  const r = auditRule(rule);
  return { cached: false, ...base, ...extra, status: r.status, rule: { id: r.id, name: r.name }, reason };
}

/** Audits one list entry. Never throws for the server's own faults; each becomes a status. */
export async function auditServer(entry: RawEntry, ctx: AuditContext): Promise<ServerAudit> {
  const marked = entry.registryStatus ? { registryStatus: entry.registryStatus } : {};
  const parsed = parseServerJson(entry.value);
  if (!parsed.ok) {
    const name = nameOf(entry.value) ?? entry.origin;
    return result({ name, origin: entry.origin, ...marked }, 'server-json-invalid', `${entry.origin} is not a server.json the audit can read: ${parsed.reason}. Fix the entry (see the MCP Registry server.json schema).`);
  }
  const server = parsed.server;
  const base: Base = { name: server.name, version: server.version, origin: entry.origin, ...marked };
  const found = await loadEntryBundle(server, { ...(ctx.bundlesDir ? { bundlesDir: ctx.bundlesDir } : {}), fetch: ctx.fetch });
  if (found.kind === 'none') return result(base, 'no-attestation', found.reason);
  if (found.kind === 'failed') return result(found.source ? { ...base, bundle: { source: found.source } } : base, found.rule, found.reason);
  const resolved = ctx.policies.forServer(server.name);
  const withBundle: Base = { ...base, bundle: { source: found.source, digest: `sha256:${sha256Hex(found.bytes)}` } };
  if (!resolved) {
    return result(withBundle, 'no-namespace-policy', `${server.name} has a bundle, but no audit policy names who may sign for its namespace "${server.name.split('/')[0]}". Add a "namespaces" entry for it to the --policy file.`);
  }
  return verifyAndCheck(withBundle, found.bytes, server, found.pointer, resolved, ctx);
}

async function verifyAndCheck(base: Base, bytes: Buffer, server: ServerJson, pointer: ToolsealMeta | undefined, resolved: ResolvedPolicy, ctx: AuditContext): Promise<ServerAudit> {
  const withPolicy: Base = { ...base, policy: resolved.origin };
  const { outcome, cached } = await verifyCached(bytes, resolved, ctx);
  if (!outcome.ok) return result({ ...withPolicy, cached }, outcome.rule, `${server.name}: ${outcome.message}`, { code: outcome.code });
  const verified: Base = { ...withPolicy, cached, manifestDigest: outcome.digest, signer: outcome.signer };
  const ownerProblem = resolved.githubOwner ? githubOwnerProblem(outcome.signer, resolved.githubOwner) : undefined;
  if (ownerProblem) return result(verified, 'identity-mismatch', `${server.name}: ${ownerProblem}`, { code: 'GITHUB_OWNER_MISMATCH' });
  const mismatch = entryMismatch(server, pointer, outcome.digest, outcome.manifest);
  if (mismatch) return result(verified, mismatch.rule, mismatch.reason, { code: mismatch.code });
  if (ctx.live) return ctx.live.check(server, outcome.manifest, resolved.policy.match, verified);
  return result(verified, 'verified', `${server.name} ${server.version}: manifest ${outcome.digest} signed by ${describeSigner(outcome.signer)}, accepted by the ${resolved.origin}.`);
}

/** Verification is the expensive step; its outcome is cached by bundle bytes and policy. */
async function verifyCached(bytes: Buffer, resolved: ResolvedPolicy, ctx: AuditContext): Promise<{ outcome: CachedOutcome; cached: boolean }> {
  const bundleHex = sha256Hex(bytes);
  const policyHex = await ctx.policyDigest(resolved);
  const key = `${bundleHex}-${policyHex}`;
  const shared = ctx.verifications.get(key);
  if (shared) return { outcome: await shared, cached: true };
  let fromDisk = false;
  const work = (async (): Promise<CachedOutcome> => {
    const hit = await ctx.cache?.get(bundleHex, policyHex);
    if (hit) {
      fromDisk = true;
      return hit;
    }
    const outcome = await verifyBytes(bytes, resolved, ctx);
    await ctx.cache?.put(bundleHex, policyHex, outcome);
    return outcome;
  })();
  ctx.verifications.set(key, work);
  return { outcome: await work, cached: fromDisk };
}

async function verifyBytes(bytes: Buffer, resolved: ResolvedPolicy, ctx: AuditContext): Promise<CachedOutcome> {
  let json: unknown;
  try {
    json = parseStrictJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes), 'the bundle');
  } catch (err) {
    const message = err instanceof ToolsealError ? err.message : 'the bundle is not valid UTF-8';
    return { ok: false, rule: 'bundle-invalid', code: err instanceof ToolsealError ? err.code : 'FILE_NOT_UTF8', message: `${message} It is not a Sigstore bundle.` };
  }
  try {
    const verified = await ctx.verifier.verify(json, resolved.policy);
    return { ok: true, digest: verified.digest, signer: verified.signer, manifest: verified.manifest };
  } catch (err) {
    return { ok: false, ...classifyVerifyError(err) };
  }
}

/**
 * The GitHub default also checks the decoded source-repository-owner claim when the
 * certificate carries it: a reusable workflow's SAN names the workflow's repository, while
 * this claim names the repository the run was for.
 */
function githubOwnerProblem(signer: SignerIdentity, owner: string): string | undefined {
  if (signer.kind !== 'keyless') return `the namespace io.github.${owner} expects a GitHub Actions (keyless) signer, but the bundle was signed with a key.`;
  const claimed = signer.claims.sourceRepositoryOwnerUri;
  if (claimed === undefined || claimed.toLowerCase() === `https://github.com/${owner.toLowerCase()}`) return undefined;
  return `the certificate says the run was for a repository of ${claimed}, not of https://github.com/${owner}; only ${owner}'s repositories may sign for io.github.${owner}.`;
}

function nameOf(value: unknown): string | undefined {
  const name = (value as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name.length > 0 && name.length <= 200 ? name : undefined;
}
