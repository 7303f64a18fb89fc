import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { parseAttestation, type AttestedManifest } from '../attest/parse.js';
import type { Manifest } from '../manifest/schema.js';
import { InputError, ToolsealError } from '../errors.js';
import type { Sha256Digest } from '../manifest/canonical.js';
import { entryCounts, type ListName } from '../manifest/lists.js';
import { claimedSigner } from './identity/claimed.js';
import type { ClaimedSigner } from './identity/describe.js';
import type { SignerIdentity } from './identity/types.js';

/**
 * What a bundle *claims*, read without verifying anything: for people deciding what
 * policy to write. Never use it to decide trust; use a verifier.
 */
export interface BundleClaims {
  verified: false;
  mediaType: string;
  signer?: ClaimedSigner;
  log?: { index: string; integratedTime?: string; kind: string };
  timestampAuthorities: number;
  server?: { name: string; version: string; title?: string | undefined };
  manifestDigest?: Sha256Digest;
  counts?: Record<ListName, number>;
  clientProfile?: string;
  artifacts?: string[];
  /** Why the payload could not be read as a toolseal manifest, when it could not. */
  payloadProblem?: string;
}

/** Reads the claims of a bundle without verifying it (see {@link BundleClaims}). */
export function inspectBundle(bundleJson: unknown, source = 'the bundle'): BundleClaims {
  let bundle;
  try {
    bundle = bundleFromJSON(bundleJson);
  } catch (err) {
    throw new InputError('BUNDLE_MALFORMED', `${source} is not a Sigstore bundle (${(err as Error).message}).`, { cause: err });
  }
  const signer = claimedSigner(bundle);
  const entry = bundle.verificationMaterial.tlogEntries[0];
  const claims: BundleClaims = {
    verified: false,
    mediaType: bundle.mediaType,
    ...(signer ? { signer } : {}),
    ...(entry ? { log: { index: entry.logIndex, kind: `${entry.kindVersion?.kind ?? '?'} ${entry.kindVersion?.version ?? ''}`.trim(), ...(entry.integratedTime !== '0' ? { integratedTime: new Date(Number(entry.integratedTime) * 1000).toISOString() } : {}) } } : {}),
    timestampAuthorities: bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps.length ?? 0,
  };
  let attested: AttestedManifest | undefined;
  try {
    attested = claimedAttestation(bundle, source);
  } catch (err) {
    if (!(err instanceof ToolsealError)) throw err;
    return { ...claims, payloadProblem: err.message };
  }
  if (!attested) return { ...claims, payloadProblem: 'the bundle signs a bare message, not a DSSE attestation' };
  const { manifest, digest } = attested;
  return {
    ...claims,
    server: manifest.server,
    manifestDigest: digest,
    counts: entryCounts(manifest),
    clientProfile: manifest.capture.clientProfile,
    ...(manifest.artifacts ? { artifacts: manifest.artifacts.map((a) => a.uri) } : {}),
  };
}

/**
 * The manifest a bundle says it signs, read WITHOUT verifying anything, or `undefined` when the
 * JSON is not a bundle or its payload is not a toolseal manifest. Never use it to decide trust;
 * it is for choosing how to capture a server so that its capture is comparable with the bundle,
 * which a verifier then checks.
 */
export function claimedManifest(bundleJson: unknown, source = 'the bundle'): Manifest | undefined {
  try {
    return claimedAttestation(bundleFromJSON(bundleJson), source)?.manifest;
  } catch {
    return undefined;
  }
}

/** The DSSE payload read as a toolseal attestation; `undefined` for a bundle that signs a bare message. @throws ToolsealError */
function claimedAttestation(bundle: Bundle, source: string): AttestedManifest | undefined {
  if (bundle.content.$case !== 'dsseEnvelope') return undefined;
  return parseAttestation(bundle.content.dsseEnvelope.payloadType, bundle.content.dsseEnvelope.payload, source);
}

