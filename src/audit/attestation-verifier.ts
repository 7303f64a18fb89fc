import type { TrustMaterial } from '@sigstore/verify';
import { parseAttestation } from '../attest/parse.js';
import { VerificationError } from '../errors.js';
import { verifyBundle } from '../verify/bundle.js';
import { identityPolicyOf, type Policy, type TrustPolicy } from '../verify/policy.js';
import { trustSourceFromPolicy } from '../verify/trust/sources.js';
import type { AttestationVerifier, VerifiedAttestation } from './verifier.js';

/** Options of {@link createAttestationVerifier}. */
export interface AttestationVerifierOptions {
  /** Use the trusted root embedded in the package instead of TUF for public-good (no network). */
  offline?: boolean;
  /** Where TUF metadata is cached. */
  tufCacheDir?: string;
}

/**
 * The production {@link AttestationVerifier}: Sigstore bundle verification with the
 * policy's identity rules, then the toolseal attestation checks on the signed payload.
 * Trust material is loaded once per distinct `trust` setting and shared by every server.
 */
export function createAttestationVerifier(options: AttestationVerifierOptions = {}): AttestationVerifier {
  const trust = new Map<string, Promise<{ material: TrustMaterial; description: string }>>();
  const materialFor = (policy: TrustPolicy): Promise<{ material: TrustMaterial; description: string }> => {
    const key = JSON.stringify(policy);
    if (!trust.has(key)) {
      const source = trustSourceFromPolicy(policy, { ...(options.tufCacheDir ? { cacheDir: options.tufCacheDir } : {}), ...(options.offline ? { offline: true } : {}) });
      trust.set(key, source.load().then((material) => ({ material, description: source.description })));
    }
    return trust.get(key)!;
  };
  return {
    async verify(bundle: unknown, policy: Policy): Promise<VerifiedAttestation> {
      const { material, description } = await materialFor(policy.trust);
      const verified = verifyBundle(bundle, { identity: identityPolicyOf(policy), trust: material, trustDescription: description });
      if (!verified.dsse) {
        throw new VerificationError('PAYLOAD_TYPE_MISMATCH', 'The bundle signs a message, not a DSSE envelope; it is not a toolseal attestation.');
      }
      const attested = parseAttestation(verified.dsse.payloadType, verified.dsse.payload);
      if (policy.manifestDigest && policy.manifestDigest !== attested.digest) {
        throw new VerificationError('MANIFEST_DIGEST_MISMATCH', `The bundle signs the manifest ${attested.digest}, but the policy pins ${policy.manifestDigest}.`);
      }
      return { manifest: attested.manifest, digest: attested.digest, signer: verified.signer };
    },
  };
}
