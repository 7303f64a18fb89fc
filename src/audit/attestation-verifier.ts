import type { TrustMaterial } from '@sigstore/verify';
import { identityPolicyOf, type Policy } from '../policy/policy.js';
import type { TrustSource } from '../verify/trust/source.js';
import { trustSourceForPolicy, type TufOptions } from '../verify/trust/sources.js';
import { SharedVerificationCaches } from '../verify/batch/index.js';
import { createManifestVerifier, type ManifestVerifier } from '../verify/verify-server.js';
import type { AttestationVerifier, AuditedAttestation } from './verifier.js';

/** Options of {@link createAttestationVerifier}. */
export interface AttestationVerifierOptions extends TufOptions {
  /** Use the trusted root embedded in the package instead of TUF for public-good (no network). */
  offline?: boolean;
}

/**
 * The production {@link AttestationVerifier}: a thin adapter over the library's
 * `createManifestVerifier(...).verifyAttestation`, one verifier per distinct policy.
 * An audit has one policy per GitHub owner, so trust material is loaded once per
 * distinct `trust` setting and shared by all of them, not once per owner.
 */
export function createAttestationVerifier(options: AttestationVerifierOptions = {}): AttestationVerifier {
  const sources = new Map<string, TrustSource>();
  const verifiers = new Map<string, Promise<ManifestVerifier>>();
  // One set for the whole audit: bundles from one Sigstore instance share their CA chain,
  // timestamp authority and often checkpoints, which are then checked once (per trust material).
  const sharedCaches = new SharedVerificationCaches();
  const sharedSource = (policy: Policy): TrustSource => {
    // A pinned key on public-good needs no TUF (trustSourceForPolicy), so the kind is part of the key.
    const key = JSON.stringify([identityPolicyOf(policy).kind, policy.trust]);
    if (!sources.has(key)) {
      const source = trustSourceForPolicy(policy, options);
      let loaded: Promise<TrustMaterial> | undefined;
      sources.set(key, { description: source.description, load: () => (loaded ??= source.load()) });
    }
    return sources.get(key)!;
  };
  return {
    async verify(bundle: unknown, policy: Policy): Promise<AuditedAttestation> {
      const key = JSON.stringify(policy);
      // cacheSize 0: an audit verifies each bundle once (its own disk cache serves re-runs), so an
      // in-memory cache per policy would only hold every signed manifest until the run ends.
      if (!verifiers.has(key)) verifiers.set(key, createManifestVerifier({ policy, trustSource: sharedSource(policy), cacheSize: 0, sharedCaches }));
      const verified = (await verifiers.get(key)!).verifyAttestation(bundle);
      return { manifest: verified.manifest, digest: verified.digest, signer: verified.signer };
    },
  };
}
