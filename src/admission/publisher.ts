import { entryMismatch, loadEntryBundle } from '../audit/entry-bundle.js';
import { ToolsealError } from '../errors.js';
import { BUNDLE_META_KEY } from '../guard/bundle-source.js';
import type { RetryOptions } from '../io/http.js';
import { parseStrictJson } from '../io/strict-json.js';
import type { Manifest } from '../manifest/schema.js';
import { parsePolicy, type TrustPolicy } from '../policy/index.js';
import { describeSigner } from '../verify/identity/describe.js';
import { inspectBundle } from '../verify/inspect.js';
import type { TrustSource } from '../verify/trust/source.js';
import { createManifestVerifier, type ManifestVerifier, type VerifiedAttestation } from '../verify/verify-server.js';
import type { RegistryMatch } from './registry.js';

/** What scan found about a publisher's bundle: one the server offers itself, or one its registry entry points to. */
export interface PublisherSignature {
  /** Who the bundle says signed it (verified when `verified` is true). */
  signedBy: string;
  /** The signature, chain and log verify, and the signed manifest equals the live one. */
  verified: boolean;
  /** Why not, when not. */
  reason?: string;
  /** `server`: offered in the server's `initialize` (2025 era) or `server/discover` (2026-07-28) `_meta`; `registry`: the registry entry's `dev.toolseal` pointer. */
  source: 'server' | 'registry';
  /** For `registry`: the entry's name and where its bundle was read. */
  registry?: { entry: string; bundle?: string };
}

/** Where publisher bundles are verified: trust material, and the bounds of fetching a registry's bundle. */
export interface PublisherCheckOptions {
  trust?: TrustPolicy | undefined;
  trustSource?: TrustSource | undefined;
  fetch?: RetryOptions | undefined;
}

/** The bundle a server offers in its `initialize` (2025 era) or `server/discover` (2026-07-28) result, if any. */
export function offeredBundle(result: Record<string, unknown> | undefined): unknown {
  const meta = result?._meta;
  const bundle = meta !== null && typeof meta === 'object' ? (meta as Record<string, unknown>)[BUNDLE_META_KEY] : undefined;
  return bundle !== null && typeof bundle === 'object' ? bundle : undefined;
}

/**
 * Checks a bundle the server offers: its signature, certificate chain and transparency log under
 * `trust`, for the identity the certificate names (so the result says "signed by X, and that holds
 * cryptographically", never "X is someone you trust": that is the reviewer's call), and that the
 * signed manifest equals the live one. A key-signed bundle cannot be checked without the
 * publisher's key and says so. Never throws: a failure is a reason.
 */
export async function checkPublisherSignature(bundle: unknown, live: Manifest, trust: TrustPolicy | undefined, trustSource?: TrustSource): Promise<PublisherSignature> {
  const what = 'the bundle the server offers';
  const checked = await signerVerifier(bundle, what, { trust, trustSource });
  if (!('verifier' in checked)) return { ...checked, source: 'server' };
  const verdict = checked.verifier.verify(bundle, live, what);
  return verdict.ok ? { signedBy: checked.signedBy, verified: true, source: 'server' } : failed(checked.signedBy, verdict.problems.map((p) => p.message).join('; '), 'server');
}

/** A registry entry's bundle, verified before the server is captured (so it is captured like the signed manifest). */
export type RegistryPublisher =
  | { kind: 'none' }
  | { kind: 'failed'; signature: PublisherSignature }
  | { kind: 'verified'; signedBy: string; verifier: ManifestVerifier; attestation: VerifiedAttestation; registry: { entry: string; bundle: string } };

/**
 * Looks up and verifies the bundle a server's registry entry points to, with the audit's own
 * lookup (`loadEntryBundle`: the `dev.toolseal` pointer, fetched with bounds) and its checks that
 * the bundle is this entry's (`entryMismatch`: the digest pin, the binding to the entry's name or
 * package); the signer is the identity its certificate names, as for an offered bundle. `none`
 * when the entry points to no bundle. Never throws.
 */
export async function prepareRegistryPublisher(match: RegistryMatch, options: PublisherCheckOptions): Promise<RegistryPublisher> {
  const entry = match.entry.name;
  const found = await loadEntryBundle(match.entry, { fetch: options.fetch ?? { attempts: 2, maxBytes: 4 * 1024 * 1024 } });
  if (found.kind === 'none') return { kind: 'none' };
  const fail = (signedBy: string, reason: string, bundle?: string): RegistryPublisher => ({ kind: 'failed', signature: { ...failed(signedBy, reason, 'registry'), registry: { entry, ...(bundle ? { bundle } : {}) } } });
  if (found.kind === 'failed') return fail('an unknown signer', found.reason, found.source);
  const what = `the bundle of the registry entry ${entry}`;
  let bundle: unknown;
  try {
    bundle = parseStrictJson(new TextDecoder('utf-8', { fatal: true }).decode(found.bytes), what);
  } catch (err) {
    return fail('an unknown signer', err instanceof ToolsealError ? err.message : `${what} is not UTF-8 JSON`, found.source);
  }
  const checked = await signerVerifier(bundle, what, options);
  if (!('verifier' in checked)) return fail(checked.signedBy, checked.reason, found.source);
  try {
    const attestation = checked.verifier.verifyAttestation(bundle, what);
    const mismatch = entryMismatch(match.entry, found.pointer, attestation.digest, attestation.manifest);
    if (mismatch) return fail(checked.signedBy, mismatch.reason, found.source);
    return { kind: 'verified', signedBy: checked.signedBy, verifier: checked.verifier, attestation, registry: { entry, bundle: found.source } };
  } catch (err) {
    return fail(checked.signedBy, err instanceof ToolsealError ? err.message : String(err), found.source);
  }
}

/** Compares a verified registry bundle with the live capture (taken like its signed manifest). */
export function compareRegistryPublisher(prepared: Extract<RegistryPublisher, { kind: 'verified' }>, live: Manifest): PublisherSignature {
  const verdict = prepared.verifier.compareLive(prepared.attestation, live);
  const base = { signedBy: prepared.signedBy, source: 'registry' as const, registry: prepared.registry };
  return verdict.ok ? { ...base, verified: true } : { ...base, verified: false, reason: verdict.problems.map((p) => p.message).join('; ') };
}

/** A verifier for the keyless identity the bundle's certificate names, or why there is none. */
async function signerVerifier(bundle: unknown, what: string, options: PublisherCheckOptions): Promise<{ signedBy: string; verifier: ManifestVerifier } | { signedBy: string; verified: false; reason: string }> {
  let signedBy = 'an unknown signer';
  try {
    const claims = inspectBundle(bundle, what);
    if (claims.signer) signedBy = describeSigner(claims.signer);
    if (!claims.signer || claims.signer.kind !== 'keyless') {
      return { signedBy, verified: false, reason: 'it is signed with a key; toolseal cannot check it without the publisher\'s public key' };
    }
    const policy = await parsePolicy({ version: 1, identity: { issuer: claims.signer.issuer, subject: claims.signer.subject }, ...(options.trust ? { trust: options.trust } : {}) }, 'the publisher check', process.cwd());
    return { signedBy, verifier: await createManifestVerifier({ policy, ...(options.trustSource ? { trustSource: options.trustSource } : {}) }) };
  } catch (err) {
    return { signedBy, verified: false, reason: err instanceof ToolsealError ? err.message : String(err) };
  }
}

function failed(signedBy: string, reason: string, source: PublisherSignature['source']): PublisherSignature {
  return { signedBy, verified: false, reason, source };
}
