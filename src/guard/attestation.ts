import type { Policy } from '../policy/policy.js';
import type { TrustSource } from '../verify/trust/source.js';
import { assertSigstoreBundle } from '../verify/bundle.js';
import { createManifestVerifier } from '../verify/verify-server.js';
import { bundleFromInitialize, readBundleSource, type BundleFetchOptions } from './bundle-source.js';
import type { AttestationResolver } from './session.js';
import type { GuardAttestation } from './settings.js';

/** Where the proxy takes the bundle from. */
export type BundleOrigin = { kind: 'source'; source: string } | { kind: 'server' };

/** Options of {@link prepareAttestation}. */
export interface PrepareAttestationOptions extends BundleFetchOptions {
  policy: Policy;
  bundle: BundleOrigin;
  /** Trust material; default: what `policy.trust` names. */
  trustSource?: TrustSource;
}

/**
 * Verifies the bundle once, before any client connects (a file or URL), or returns a
 * resolver that verifies the bundle each server offers in its `initialize` result
 * (`--bundle-from-server`). Trust material is loaded once either way, and a server's
 * repeated offer of the same bundle is verified once (the verifier caches by digest).
 *
 * @throws VerificationError when a file or URL bundle does not verify under the policy
 */
export async function prepareAttestation(options: PrepareAttestationOptions): Promise<GuardAttestation | AttestationResolver> {
  // The bundle first: a wrong path should say so, not wait for trust material from the network.
  const bundle = options.bundle.kind === 'source' ? await readBundleSource(options.bundle.source, options) : undefined;
  if (options.bundle.kind === 'source') assertSigstoreBundle(bundle, options.bundle.source);
  const verifier = await createManifestVerifier({ policy: options.policy, ...(options.trustSource ? { trustSource: options.trustSource } : {}) });
  if (options.bundle.kind === 'server') {
    return async (initializeResult) => verifier.verifyAttestation(bundleFromInitialize(initializeResult), 'the bundle the server offered');
  }
  return verifier.verifyAttestation(bundle, options.bundle.source);
}
