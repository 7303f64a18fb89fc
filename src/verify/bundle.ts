import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { MANIFEST_MEDIA_TYPE } from '../manifest/schema.js';
import { toSignedEntity, Verifier, type SignedEntity, type TrustMaterial } from '@sigstore/verify';
import { parseCertificate } from './certificate.js';
import { createHash, type KeyObject } from 'node:crypto';
import { InputError, VerificationError } from '../errors.js';
import { toVerificationError } from './errors-map.js';
import { signerFromCertificate } from './identity/extract.js';
import { matchAnyKeylessIdentity } from './identity/match.js';
import type { SignerIdentity } from './identity/types.js';
import { checkInTotoSubject } from './artifact/intoto-subject.js';
import { parsePublicKeyPem, publicKeyFingerprint } from '../policy/keys.js';
import type { IdentityPolicy } from '../policy/policy.js';
import { prehashedSignatureContent, type PrehashAlgorithm } from './artifact/prehashed.js';
import { untrusted } from '../io/terminal.js';
import type { SharedVerificationCaches } from './batch/verifier.js';

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** What was signed: the artifact's bytes, or only its SHA-256 (`sha256` as 64 hex digits). */
export type ArtifactInput = Uint8Array | { sha256: string };

/** Options of {@link verifyBundle}. */
export interface VerifyBundleOptions {
  /** Who may have signed (from a policy; see `identityPolicyOf`). */
  identity: IdentityPolicy;
  /** Trust material from a {@link TrustSource}; build once, reuse. */
  trust: TrustMaterial;
  /** A description of the trust for messages, e.g. "Sigstore public-good (TUF)". */
  trustDescription?: string;
  /**
   * The artifact. Required for message-signature bundles; for DSSE bundles, when given,
   * the payload must be an in-toto statement with a subject of this digest.
   */
  artifact?: ArtifactInput;
  /**
   * Caches shared by a batch of verifications (a registry audit): the trusted chain paths,
   * timestamp authorities and verified checkpoints are checked once; every per-bundle check
   * still runs. The same answers as without (see `SharedVerificationCaches`).
   */
  caches?: SharedVerificationCaches;
}

/** A bundle that verified, and what it proved. */
export interface VerifiedBundle {
  bundle: Bundle;
  signer: SignerIdentity;
  /** Log index of the first transparency-log entry (decimal string: it can exceed 2^53). */
  logIndex?: string;
  /** Rekor v1 integrated time of the first entry (Rekor v2 has none: see `timestamps`). */
  integratedTime?: Date;
  /** Every verified signing time (transparency log and RFC 3161 timestamp authorities). */
  timestamps: Date[];
  /** The DSSE payload exactly as signed (parse these bytes, never a re-serialization). */
  dsse?: { payloadType: string; payload: Uint8Array };
}

/**
 * Verifies a Sigstore bundle (v0.1–v0.3, Rekor v1 or v2) against trust material and an
 * identity policy: signature, certificate chain and SCTs, transparency log, timestamps,
 * then the signer, matched with toolseal's exact/anchored rules (never sigstore-js's
 * unanchored SAN regexp).
 *
 * @throws InputError `BUNDLE_MALFORMED` / `ARTIFACT_REQUIRED` (could not run, exit 2);
 *   VerificationError with a stable code when verification ran and failed (exit 1)
 */
export function verifyBundle(bundleJson: unknown, options: VerifyBundleOptions): VerifiedBundle {
  const bundle = parseBundle(bundleJson);
  const material = bundle.verificationMaterial.content;
  if (options.identity.kind === 'key' && material.$case !== 'publicKey') {
    throw new VerificationError('SIGNER_KIND_MISMATCH', 'The policy accepts only key-based signatures, but the bundle was signed with a Fulcio certificate (keyless).');
  }
  if (options.identity.kind === 'keyless' && material.$case === 'publicKey') {
    throw new VerificationError('SIGNER_KIND_MISMATCH', 'The bundle was signed with a bare public key, but the policy expects a keyless (Fulcio certificate) signer. Pass --key with the public key, or fix the policy.');
  }
  refuseRootInChain(bundle);
  const entity = signedEntityOf(bundle, options.artifact);
  const signer = options.identity.kind === 'key'
    ? verifyWithKeys(entity, options, options.identity.keys, hintOf(bundle))
    : verifyKeyless(entity, options, options.identity.identities);
  const dsse = bundle.content.$case === 'dsseEnvelope'
    ? { payloadType: bundle.content.dsseEnvelope.payloadType, payload: new Uint8Array(bundle.content.dsseEnvelope.payload) }
    : undefined;
  if (dsse && options.artifact) checkDsseArtifact(dsse, options.artifact);
  return { bundle, signer, ...logFacts(bundle), timestamps: timestampsOf(entity), ...(dsse ? { dsse } : {}) };
}

function parseBundle(json: unknown): Bundle {
  return assertSigstoreBundle(json, 'The bundle');
}

/**
 * Checks that `json` has the shape of a Sigstore bundle (v0.1–v0.3) before anything else is
 * done with it, so a wrong file (a manifest, a policy) is refused at once instead of after
 * trust material was fetched. `source` names it in the message.
 *
 * @throws InputError `BUNDLE_MALFORMED`
 */
export function assertSigstoreBundle(json: unknown, source: string): Bundle {
  const media = (json as { mediaType?: unknown } | null)?.mediaType;
  if (media === MANIFEST_MEDIA_TYPE) {
    throw new InputError('BUNDLE_MALFORMED', `${source} is a toolseal manifest, not a Sigstore bundle. Give the bundle from toolseal sign (mcp-manifest.sigstore.json); compare a manifest file with --manifest.`);
  }
  try {
    return bundleFromJSON(json);
  } catch (err) {
    throw new InputError('BUNDLE_MALFORMED', `${source} is not a valid Sigstore bundle (${(err as Error).message}). Check that the file is a *.sigstore.json bundle (v0.1–v0.3).`, { cause: err });
  }
}

/**
 * A bundle must not carry its own root: trust anchors come from the trusted root only
 * (conformance case `bundle-with-root-cert_fail`).
 */
function refuseRootInChain(bundle: Bundle): void {
  const m = bundle.verificationMaterial.content;
  if (m.$case !== 'x509CertificateChain') return;
  for (const raw of m.x509CertificateChain.certificates.slice(1)) {
    let selfSigned = false;
    try {
      const cert = parseCertificate(Buffer.from(raw.rawBytes));
      selfSigned = cert.subject.equals(cert.issuer) && cert.verify();
    } catch (err) {
      throw new InputError('BUNDLE_MALFORMED', `The bundle's certificate chain has a certificate that cannot be parsed (${(err as Error).message}).`, { cause: err });
    }
    if (selfSigned) {
      throw new VerificationError('CERTIFICATE_CHAIN_INVALID', 'The bundle\'s certificate chain includes a self-signed root certificate; roots must come from the trusted root, never from the bundle.');
    }
  }
}

function signedEntityOf(bundle: Bundle, artifact: ArtifactInput | undefined): SignedEntity {
  let entity: SignedEntity;
  try {
    const bytes = artifact instanceof Uint8Array ? Buffer.from(artifact) : undefined;
    entity = toSignedEntity(bundle, bytes);
  } catch (err) {
    throw new InputError('BUNDLE_MALFORMED', `The bundle's certificate or timestamps cannot be parsed (${(err as Error).message}).`, { cause: err });
  }
  if (bundle.content.$case === 'messageSignature') {
    if (artifact === undefined) {
      throw new InputError('ARTIFACT_REQUIRED', 'This bundle signs an artifact directly (message signature): pass the artifact or its sha256 digest to verify it.');
    }
    const signed = bundle.content.messageSignature.messageDigest;
    const algorithm = namedHash(signed?.algorithm);
    if (!(artifact instanceof Uint8Array) && algorithm !== 'sha256') {
      throw new InputError('ARTIFACT_HASH_UNSUPPORTED', `This bundle signs the artifact's ${algorithm.toUpperCase()} digest, so a sha256: digest cannot be checked against it; pass the artifact file instead.`);
    }
    const digest = artifact instanceof Uint8Array ? createHash(algorithm).update(artifact).digest() : Buffer.from(artifact.sha256, 'hex');
    if (signed && signed.digest.length > 0 && !Buffer.from(signed.digest).equals(digest)) {
      throw new VerificationError('ARTIFACT_DIGEST_MISMATCH', `The artifact's ${algorithm.toUpperCase()} is ${digest.toString('hex')}, but the bundle was made for ${Buffer.from(signed.digest).toString('hex')}.`);
    }
    if (!(artifact instanceof Uint8Array)) {
      entity = { ...entity, signature: prehashedSignatureContent(bundle.content.messageSignature.signature, digest, algorithm) };
    }
  }
  return entity;
}

/**
 * The hash a message-signature bundle names for its digest (sigstore's HashAlgorithm: 1
 * SHA2_256, 2 SHA2_384, 3 SHA2_512); none named means SHA-256, the only one older bundles use.
 *
 * @throws InputError `BUNDLE_MALFORMED` for a hash toolseal does not verify (SHA-3, unknown)
 */
function namedHash(algorithm: number | undefined): PrehashAlgorithm {
  if (algorithm === undefined || algorithm === 0 || algorithm === 1) return 'sha256';
  if (algorithm === 2) return 'sha384';
  if (algorithm === 3) return 'sha512';
  throw new InputError('BUNDLE_MALFORMED', `The bundle's message digest uses hash algorithm ${algorithm}, which toolseal does not verify (SHA-256, SHA-384 and SHA-512 only).`);
}

/**
 * Key-based signing serves private infrastructure that may have no log and no timestamp
 * authority, so for a pinned key no log entry or timestamp is *required*; any the bundle
 * carries must still verify against the trust material. Keyless keeps sigstore-js's
 * strict defaults (one log entry, one SCT, one timestamp).
 */
const KEY_THRESHOLDS = { tlogThreshold: 0, timestampThreshold: 0 } as const;

function runVerifier(entity: SignedEntity, trust: TrustMaterial, description: string, caches: SharedVerificationCaches | undefined, options?: typeof KEY_THRESHOLDS) {
  try {
    return caches ? caches.verify(entity, trust, options) : new Verifier(trust, options).verify(entity);
  } catch (err) {
    throw toVerificationError(err, description);
  }
}

function verifyKeyless(entity: SignedEntity, options: VerifyBundleOptions, identities: Parameters<typeof matchAnyKeylessIdentity>[1]): SignerIdentity {
  runVerifier(entity, options.trust, options.trustDescription ?? 'the given trust material', options.caches);
  if (entity.key.$case !== 'certificate') throw new VerificationError('SIGNER_KIND_MISMATCH', 'The bundle carries no signing certificate.');
  const signer = signerFromCertificate(entity.key.certificate);
  matchAnyKeylessIdentity(signer, identities);
  return signer;
}

/** Tries each pinned key; the bundle's key hint is not trusted to choose one. */
function verifyWithKeys(entity: SignedEntity, options: VerifyBundleOptions, pems: string[], hint: string | undefined): SignerIdentity {
  const keys = pems.map((pem, i) => parsePublicKeyPem(pem, `policy key #${i + 1}`));
  let last: unknown;
  for (const key of keys) {
    try {
      runVerifier(entity, withKey(options.trust, key), options.trustDescription ?? 'the given trust material', options.caches, KEY_THRESHOLDS);
      return { kind: 'key', ...(hint ? { hint } : {}), publicKeyFingerprint: publicKeyFingerprint(key) };
    } catch (err) {
      last = err;
    }
  }
  if (last instanceof VerificationError && last.code === 'SIGNATURE_INVALID') {
    throw new VerificationError('KEY_SIGNATURE_INVALID', keySignatureFailure(keys, hint), { cause: last });
  }
  throw last;
}

/**
 * Why a key signature failed, in the words the evidence supports. A failing signature cannot
 * tell "altered" from "signed with another key"; the bundle's key hint (unverified, so it
 * only narrows the wording) says which is likelier. Never "wrong signer" on its own.
 */
function keySignatureFailure(keys: KeyObject[], hint: string | undefined): string {
  const which = keys.length === 1 ? 'the policy\'s key' : `any of the policy's ${keys.length} keys`;
  const base = `The bundle's signature does not verify with ${which}`;
  if (hint === undefined) return `${base}: its content was altered, or another key signed it (the bundle names no key).`;
  const named = keys.find((k) => keyHints(k).includes(hint));
  if (named) return `${base}: the bundle says the policy's key ${publicKeyFingerprint(named)} signed it, so its content was altered after signing.`;
  return `${base}: the bundle names the key ${untrusted(hint, 80)}, which is not one of the policy's, so another key signed it, or the bundle was altered.`;
}

/** The ways bundles write a key's hint: SHA-256 of its SPKI as hex (toolseal), base64 (sigstore), or `sha256:hex`. */
function keyHints(key: KeyObject): string[] {
  const digest = createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest();
  return [digest.toString('hex'), digest.toString('base64'), `sha256:${digest.toString('hex')}`];
}

function withKey(trust: TrustMaterial, publicKey: KeyObject): TrustMaterial {
  return { ...trust, publicKey: () => ({ publicKey, validFor: () => true }) };
}

function hintOf(bundle: Bundle): string | undefined {
  const m = bundle.verificationMaterial.content;
  return m.$case === 'publicKey' && m.publicKey.hint ? m.publicKey.hint : undefined;
}

function checkDsseArtifact(dsse: { payloadType: string; payload: Uint8Array }, artifact: ArtifactInput): void {
  if (dsse.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new VerificationError('STATEMENT_INVALID', `The DSSE payload type is "${dsse.payloadType}", not an in-toto statement, so it cannot be checked against the artifact.`);
  }
  const hex = artifact instanceof Uint8Array ? createHash('sha256').update(artifact).digest('hex') : artifact.sha256;
  checkInTotoSubject(dsse.payload, hex);
}

function logFacts(bundle: Bundle): { logIndex?: string; integratedTime?: Date } {
  const entry = bundle.verificationMaterial.tlogEntries[0];
  if (!entry) return {};
  const seconds = Number(entry.integratedTime);
  return { logIndex: entry.logIndex, ...(seconds > 0 ? { integratedTime: new Date(seconds * 1000) } : {}) };
}

function timestampsOf(entity: SignedEntity): Date[] {
  return entity.timestamps.flatMap((t) => {
    if (t.$case === 'timestamp-authority') return [t.timestamp.signingTime];
    const seconds = Number(t.tlogEntry.integratedTime);
    return t.tlogEntry.inclusionPromise && seconds > 0 ? [new Date(seconds * 1000)] : [];
  });
}
