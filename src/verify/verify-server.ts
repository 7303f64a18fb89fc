import type { TrustMaterial } from '@sigstore/verify';
import { parseAttestation } from '../attest/parse.js';
import type { ManifestStatement } from '../attest/statement.js';
import { compareManifestsWithKnown } from '../compare/compare.js';
import { scanHiddenUnicode } from '../compare/hidden-unicode.js';
import { diffFindings, type DiffFinding } from '../compare/findings.js';
import type { HiddenUnicodeFinding, ManifestDiff } from '../compare/schema.js';
import { isVerdictError, TrustError, VerificationError } from '../errors.js';
import { jsonDigest, type Sha256Digest } from '../manifest/canonical.js';
import { captureLike } from '../manifest/capture/like.js';
import { unsignedServerInfo } from '../manifest/capture/unsigned.js';
import { modelVisibleExcludes } from '../manifest/exclude.js';
import { untrusted } from '../io/terminal.js';
import type { CaptureOptions, ServerTarget } from '../manifest/capture/options.js';
import type { Manifest } from '../manifest/schema.js';
import { verifyBundle } from './bundle.js';
import { SharedVerificationCaches } from './batch/verifier.js';
import { bundleCacheKey, bundleLookupKey, equalsSnapshot, jsonSnapshot, VerificationCache } from './cache.js';
import type { SignerIdentity } from './identity/types.js';
import { checkManifestPolicy } from './manifest-policy.js';
import { SignedCopy } from './signed-copy.js';
import { identityPolicyOf, type Policy } from '../policy/policy.js';
import type { TrustSource } from './trust/source.js';
import { emptyTrustMaterial } from './trust/material.js';
import { trustSourceForPolicy } from './trust/sources.js';
import { deepFreeze } from '../io/deep-freeze.js';
import { VERDICT_MEDIA_TYPE, type Problem, type Verdict } from './verdict.js';

/** A bundle that verified as a toolseal attestation under a policy. */
export interface VerifiedAttestation {
  /** The signed manifest: the caller's to change; the verifier compares against its own copy. */
  manifest: Manifest;
  /** Digest of the signed manifest (equal to the statement's subject[0]). Read-only, as are the signer and log fields. */
  readonly digest: Sha256Digest;
  statement: ManifestStatement;
  /** Who signed; frozen. */
  readonly signer: SignerIdentity;
  readonly logIndex?: string;
  /** RFC 3339 time the transparency log or timestamp authority vouched for. */
  readonly integratedTime?: string;
  /** Digest of the bundle (RFC 8785 of its JSON). */
  readonly bundleDigest: Sha256Digest;
}

/**
 * A verdict together with the attestation it verified, so a caller that needs the signed
 * manifest (the Action's summary, a gateway) does not verify the bundle again. The
 * attestation is not part of the verdict format: it is a non-enumerable property, so JSON
 * output and `VerdictSchema` never see it. Absent when the bundle did not verify.
 */
export type AttestedVerdict = Verdict & { readonly attestation?: VerifiedAttestation };

/** Options of {@link createManifestVerifier}. */
export interface ManifestVerifierOptions {
  policy: Policy;
  /** Where trust material comes from; default `trustSourceForPolicy(policy)` (a pinned key on public-good: no network). */
  trustSource?: TrustSource;
  /** How many verified bundles to remember. Default 256. */
  cacheSize?: number;
  /**
   * Caches shared by many verifications (a registry audit, a gateway verifying many
   * servers' bundles): one {@link SharedVerificationCaches} for all the verifiers, so the
   * trusted chain paths, timestamp authorities and checkpoints are checked once. Every
   * per-bundle check still runs; the answers are the same as without.
   */
  sharedCaches?: SharedVerificationCaches;
}

/**
 * Verifies toolseal attestations under one policy. Trust material is loaded once and
 * reused, and verified bundles are cached by content, so a gateway's repeated connects
 * pay only for capture and compare.
 */
export interface ManifestVerifier {
  readonly policy: Policy;
  /** Signature, chain, log, signer identity, statement and manifest policy; throws on failure. */
  verifyAttestation(bundleJson: unknown, source?: string): VerifiedAttestation;
  /** Compares a live manifest with a verified attestation under the policy's match mode. */
  compareLive(attestation: VerifiedAttestation, live: Manifest): AttestedVerdict;
  /** The whole check as a verdict: bundle, then (optionally) the live manifest. Throws only when it could not run. */
  verify(bundleJson: unknown, live?: Manifest, source?: string): AttestedVerdict;
  /** Verifies the bundle (once), captures the server with the signed profile and exclude paths, compares. */
  verifyServer(bundleJson: unknown, target: ServerTarget, options?: CaptureOptions): Promise<AttestedVerdict>;
  /** Cache statistics (hits, misses, size). */
  readonly cacheStats: { hits: number; misses: number; size: number };
}

/** Builds a {@link ManifestVerifier}: loads trust material (once) for the policy. */
export async function createManifestVerifier(options: ManifestVerifierOptions): Promise<ManifestVerifier> {
  const source = options.trustSource ?? trustSourceForPolicy(options.policy);
  const { trust, description } = await loadTrust(source, options.policy);
  // What depends on the trust material alone (the paths between trusted certificates, each
  // timestamp authority's key and chain) is checked once per verifier, as the trust is loaded once.
  const shared = options.sharedCaches ?? new SharedVerificationCaches({ checkpoints: false });
  return new PolicyVerifier(options.policy, trust, description, new VerificationCache(options.cacheSize), shared);
}

/**
 * Loads the trust material. A pinned-key policy on the default public-good trust does not
 * need it for bundles without log entries or timestamps (private infrastructure), so when
 * public-good cannot be reached it falls back to trusting no authority at all: stricter,
 * never looser, and verification still works offline.
 */
async function loadTrust(source: TrustSource, policy: Policy): Promise<{ trust: TrustMaterial; description: string }> {
  try {
    return { trust: await source.load(), description: source.description };
  } catch (err) {
    const keyOnly = identityPolicyOf(policy).kind === 'key' && policy.trust.source === 'public-good';
    if (!keyOnly || !(err instanceof TrustError)) throw err;
    return { trust: emptyTrustMaterial(), description: `no trust material (${source.description} could not be loaded), so log entries and timestamps in a bundle cannot be checked; pass --trusted-root to check them` };
  }
}

/** A verified attestation, with the bundle as verified when it is found by its signature. */
interface CachedAttestation { attestation: VerifiedAttestation; snapshot: unknown }

class PolicyVerifier implements ManifestVerifier {
  /** The private copy of each attestation's manifest as verified (weak: it lives as long as the attestation). */
  private readonly signedCopies = new WeakMap<VerifiedAttestation, SignedCopy>();

  constructor(
    readonly policy: Policy,
    private readonly trust: TrustMaterial,
    private readonly trustDescription: string,
    private readonly cache: VerificationCache<CachedAttestation>,
    private readonly sharedCaches: SharedVerificationCaches,
  ) {}

  get cacheStats() {
    return this.cache.stats;
  }

  verifyAttestation(bundleJson: unknown, source = 'the bundle'): VerifiedAttestation {
    // A hit is a bundle equal to one verified before. Found by its signature and compared with
    // the verified copy, it costs no hashing; a bundle without a signature string is hashed.
    const lookup = bundleLookupKey(bundleJson);
    const key = lookup ?? bundleCacheKey(bundleJson);
    const cached = this.cache.get(key, lookup === undefined ? undefined : (entry) => entry.snapshot !== undefined && equalsSnapshot(entry.snapshot, bundleJson));
    if (cached) return cached.attestation;
    // Taken before verifying: what is cached and digested is what was verified.
    const snapshot = jsonSnapshot(bundleJson);
    // Nothing in toolseal reads bundleDigest: it is computed (RFC 8785 of 170+ KiB) only when asked.
    const lazyDigest = lazyBundleDigest(bundleJson, snapshot);
    const verified = verifyBundle(bundleJson, {
      identity: identityPolicyOf(this.policy), trust: this.trust, trustDescription: this.trustDescription, caches: this.sharedCaches,
    });
    if (!verified.dsse) {
      throw new VerificationError('NOT_AN_ATTESTATION', `${source} signs a bare message, not a DSSE attestation; it is not a toolseal bundle.`);
    }
    const attested = parseAttestation(verified.dsse.payloadType, verified.dsse.payload, source);
    checkManifestPolicy(attested.manifest, attested.digest, this.policy);
    const time = verified.integratedTime ?? verified.timestamps[0];
    const result = Object.defineProperty({
      ...attested,
      signer: verified.signer,
      ...(verified.logIndex !== undefined ? { logIndex: verified.logIndex } : {}),
      ...(time ? { integratedTime: time.toISOString() } : {}),
    }, 'bundleDigest', { get: lazyDigest, enumerable: true }) as VerifiedAttestation;
    // A cache hit hands out this very object again, and every verdict names its signer: what
    // says who signed, when and which digest cannot be changed by whoever holds it.
    deepFreeze(result.signer);
    for (const key of ['digest', 'signer', 'logIndex', 'integratedTime'] as const) {
      if (key in result) Object.defineProperty(result, key, { writable: false, configurable: false });
    }
    // Taken before the caller has the attestation: its manifest is theirs to change, this copy is not.
    this.signedCopies.set(result, new SignedCopy(attested.manifest));
    // Under a signature key only with the verified copy to compare against (else a later lookup misses).
    if (lookup === undefined || snapshot !== undefined) this.cache.set(key, { attestation: result, snapshot });
    return result;
  }

  compareLive(attestation: VerifiedAttestation, live: Manifest): AttestedVerdict {
    return this.compareWith(attestation, live, 'live-server');
  }

  verify(bundleJson: unknown, live?: Manifest, source?: string): AttestedVerdict {
    const attestation = this.attestationOrRefusal(bundleJson, source);
    if (!('manifest' in attestation)) return { ...attestation, compared: live ? 'manifest-file' : 'none' };
    if (live) return this.compareWith(attestation, live, 'manifest-file');
    const signed = this.signedManifest(attestation);
    const findings = scanHiddenUnicode(signed, { allow: this.policy.allowHiddenUnicode });
    return verdictOf(attestation, signed, findings.map(unicodeProblem), 'none');
  }

  async verifyServer(bundleJson: unknown, target: ServerTarget, options: CaptureOptions = {}): Promise<AttestedVerdict> {
    const attestation = this.attestationOrRefusal(bundleJson);
    if (!('manifest' in attestation)) return { ...attestation, compared: 'live-server' };
    const live = await captureLike(this.signedManifest(attestation), target, options);
    return this.compareLive(attestation, live);
  }

  /**
   * Compares with the private copy of what was verified when this verifier verified the
   * attestation (reusing its entries' hidden-Unicode findings for equal live entries), else
   * (an attestation from elsewhere) with its manifest as it is now.
   */
  private compareWith(attestation: VerifiedAttestation, live: Manifest, compared: Verdict['compared']): AttestedVerdict {
    const copy = this.signedCopies.get(attestation);
    const signed = copy?.manifest ?? attestation.manifest;
    const diff = compareManifestsWithKnown(signed, live, { match: this.policy.match }, copy?.entryFindings);
    const unsigned = unsignedServerInfo(live).map((field) => ({ path: `/server/${field}`, reason: 'the live serverInfo has it, and no manifest signs it: verify does not check it (the proxy and the guard drop it)' }));
    return verdictOf(attestation, signed, diffProblems(diff, this.policy), compared, copy ? detached(diff) : diff, unsigned);
  }

  /** The signed manifest as verified: the private copy when this verifier verified it. */
  private signedManifest(attestation: VerifiedAttestation): Manifest {
    return this.signedCopies.get(attestation)?.manifest ?? attestation.manifest;
  }

  /** The verified attestation, or the failed verdict (without `compared`) when the bundle is refused. */
  private attestationOrRefusal(bundleJson: unknown, source?: string): VerifiedAttestation | Omit<Verdict, 'compared'> {
    try {
      return this.verifyAttestation(bundleJson, source);
    } catch (err) {
      if (!isVerdictError(err)) throw err;
      return { mediaType: VERDICT_MEDIA_TYPE, ok: false, problems: [{ code: err.code, message: err.message }] };
    }
  }
}

/** The bundle's RFC 8785 digest, computed on first use from the snapshot taken before verification. */
function lazyBundleDigest(bundleJson: unknown, snapshot: unknown): () => Sha256Digest {
  let digest = snapshot === undefined ? jsonDigest(bundleJson) : undefined;
  return () => (digest ??= jsonDigest(snapshot));
}

/**
 * The diff with its changes copied: a change's `before` is a value inside the signed
 * manifest, which must not be the verifier's frozen copy in a verdict the caller may change.
 */
function detached(diff: ManifestDiff): ManifestDiff {
  if (diff.changed.length + diff.renamed.length + diff.server.length === 0) return diff;
  return { ...diff, changed: structuredClone(diff.changed), renamed: structuredClone(diff.renamed), server: structuredClone(diff.server) };
}

/** The verdict on `attestation`, whose manifest as verified is `signed`. */
function verdictOf(attestation: VerifiedAttestation, signed: Manifest, problems: Problem[], compared: Verdict['compared'], diff?: ManifestDiff, unsigned: NonNullable<Verdict['unchecked']> = []): AttestedVerdict {
  // checkManifestPolicy let these through only because the policy names them.
  const allowed = modelVisibleExcludes(signed.exclude).map((path) => ({ path, reason: 'excluded from the signature although a model reads it; the policy allows it (allowModelVisibleExclude)' }));
  const unchecked = [...allowed, ...unsigned];
  const verdict: Verdict = {
    mediaType: VERDICT_MEDIA_TYPE,
    ok: problems.length === 0,
    problems,
    server: { name: signed.server.name, version: signed.server.version },
    manifestDigest: attestation.digest,
    signer: attestation.signer as Verdict['signer'],
    log: {
      ...(attestation.logIndex !== undefined ? { index: attestation.logIndex } : {}),
      ...(attestation.integratedTime ? { integratedTime: attestation.integratedTime } : {}),
    },
    ...(signed.exclude.length > 0 ? { excluded: [...signed.exclude] } : {}),
    ...(unchecked.length > 0 ? { unchecked } : {}),
    ...(signed.dynamic ? { dynamic: [...signed.dynamic] } : {}),
    compared,
    ...(diff ? { diff } : {}),
  };
  return Object.defineProperty(verdict, 'attestation', { value: attestation, enumerable: false });
}

/**
 * The problems of a comparison: one per kind of finding (entries not signed, removed under
 * `match: exact`, changed; server-level changes), then one per hidden-Unicode finding.
 */
function diffProblems(diff: ManifestDiff, policy: Pick<Policy, 'allowHiddenUnicode'>): Problem[] {
  const findings = diffFindings(diff, { allowHiddenUnicode: policy.allowHiddenUnicode });
  const of = (code: DiffFinding['code']) => findings.filter((f) => f.code === code);
  const names = (items: DiffFinding[]) => shortList(items.map((f) => `${f.list}/${untrusted(f.key ?? '')}${f.renamedFrom !== undefined ? ` (renamed from "${untrusted(f.renamedFrom)}")` : ''}`));
  const problems: Problem[] = [];
  const notSigned = of('ENTRY_NOT_SIGNED');
  const removed = diff.match === 'exact' ? of('ENTRY_REMOVED') : [];
  const changed = of('ENTRY_CHANGED');
  const server = of('SERVER_CHANGED');
  if (notSigned.length) problems.push({ code: 'ENTRY_NOT_SIGNED', message: `The compared manifest has entries the signed one does not: ${names(notSigned)}.` });
  if (removed.length) problems.push({ code: 'ENTRY_REMOVED', message: `The compared manifest lacks signed entries: ${names(removed)}.` });
  if (changed.length) problems.push({ code: 'ENTRY_CHANGED', message: `The compared manifest changed signed entries: ${names(changed)}.` });
  if (server.length) problems.push({ code: 'SERVER_CHANGED', message: `The compared manifest differs from the signed one at ${shortList(server.map((f) => untrusted(f.path ?? '')))}.` });
  return [...problems, ...findings.filter((f) => f.code === 'HIDDEN_UNICODE').map((f) => unicodeProblem(f.hiddenUnicode!))];
}

/** At most ten items, then how many more: a message stays readable whatever the server lists. */
function shortList(items: string[]): string {
  return items.length > 10 ? `${items.slice(0, 10).join(', ')} and ${items.length - 10} more` : items.join(', ');
}

function unicodeProblem(f: HiddenUnicodeFinding): Problem {
  return {
    code: 'HIDDEN_UNICODE',
    message: `Hidden ${f.category} characters (${f.codePoints.slice(0, 8).join(' ')}${f.codePoints.length > 8 ? ' ...' : ''}) in the model-visible ${f.target === 'key' ? 'key' : 'text'} at ${untrusted(f.path)}${f.decoded ? `, spelling "${untrusted(f.decoded, 200)}"` : ''}.`,
  };
}
