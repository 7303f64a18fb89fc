import { bundleFromJSON } from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import { parseAttestation } from '../attest/parse.js';
import { InputError, ToolsealError } from '../errors.js';
import type { Sha256Digest } from '../manifest/canonical.js';
import { entryCounts, type ListName } from '../manifest/lists.js';
import { signerFromCertificate } from './identity/extract.js';
import type { SignerIdentity } from './identity/types.js';

/**
 * What a bundle *claims*, read without verifying anything: for people deciding what
 * policy to write. Never use it to decide trust; use a verifier.
 */
export interface BundleClaims {
  verified: false;
  mediaType: string;
  signer?: SignerIdentity | { kind: 'key'; hint?: string };
  log?: { index: string; integratedTime?: string; kind: string };
  timestampAuthorities: number;
  server?: { name: string; version: string; title?: string };
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
  const material = bundle.verificationMaterial.content;
  const certBytes = material.$case === 'certificate' ? material.certificate.rawBytes
    : material.$case === 'x509CertificateChain' ? material.x509CertificateChain.certificates[0]?.rawBytes : undefined;
  const entry = bundle.verificationMaterial.tlogEntries[0];
  const claims: BundleClaims = {
    verified: false,
    mediaType: bundle.mediaType,
    ...(certBytes ? { signer: signerFromCertificate(X509Certificate.parse(Buffer.from(certBytes))) } : {}),
    ...(material.$case === 'publicKey' ? { signer: { kind: 'key' as const, hint: material.publicKey.hint } } : {}),
    ...(entry ? { log: { index: entry.logIndex, kind: `${entry.kindVersion?.kind ?? '?'} ${entry.kindVersion?.version ?? ''}`.trim(), ...(entry.integratedTime !== '0' ? { integratedTime: new Date(Number(entry.integratedTime) * 1000).toISOString() } : {}) } } : {}),
    timestampAuthorities: bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps.length ?? 0,
  };
  if (bundle.content.$case !== 'dsseEnvelope') return { ...claims, payloadProblem: 'the bundle signs a bare message, not a DSSE attestation' };
  try {
    const { manifest, digest } = parseAttestation(bundle.content.dsseEnvelope.payloadType, bundle.content.dsseEnvelope.payload, source);
    return {
      ...claims,
      server: manifest.server,
      manifestDigest: digest,
      counts: entryCounts(manifest),
      clientProfile: manifest.capture.clientProfile,
      ...(manifest.artifacts ? { artifacts: manifest.artifacts.map((a) => a.uri) } : {}),
    };
  } catch (err) {
    if (!(err instanceof ToolsealError)) throw err;
    return { ...claims, payloadProblem: err.message };
  }
}
