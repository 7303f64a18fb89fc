import { ToolsealError } from '../errors.js';
import { BUNDLE_META_KEY } from '../guard/bundle-source.js';
import type { Manifest } from '../manifest/schema.js';
import { parsePolicy, type TrustPolicy } from '../policy/index.js';
import { describeSigner } from '../verify/identity/describe.js';
import { inspectBundle } from '../verify/inspect.js';
import type { TrustSource } from '../verify/trust/source.js';
import { createManifestVerifier } from '../verify/verify-server.js';

/** What scan found about a bundle the server offers itself (`initialize` `_meta["dev.toolseal/bundle"]`). */
export interface PublisherSignature {
  /** Who the bundle says signed it (verified when `verified` is true). */
  signedBy: string;
  /** The signature, chain and log verify, and the signed manifest equals the live one. */
  verified: boolean;
  /** Why not, when not. */
  reason?: string;
}

/** The bundle a server offers in its `initialize` result, if any. */
export function offeredBundle(initializeResult: Record<string, unknown> | undefined): unknown {
  const meta = initializeResult?._meta;
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
  let signedBy = 'an unknown signer';
  try {
    const claims = inspectBundle(bundle, 'the bundle the server offers');
    if (claims.signer) signedBy = describeSigner(claims.signer);
    if (!claims.signer || claims.signer.kind !== 'keyless') {
      return { signedBy, verified: false, reason: 'it is signed with a key; toolseal cannot check it without the publisher\'s public key' };
    }
    const policy = await parsePolicy({ version: 1, identity: { issuer: claims.signer.issuer, subject: claims.signer.subject }, ...(trust ? { trust } : {}) }, 'the publisher check', process.cwd());
    const verifier = await createManifestVerifier({ policy, ...(trustSource ? { trustSource } : {}) });
    const verdict = verifier.verify(bundle, live, 'the bundle the server offers');
    if (verdict.ok) return { signedBy, verified: true };
    return { signedBy, verified: false, reason: verdict.problems.map((p) => p.message).join('; ') };
  } catch (err) {
    return { signedBy, verified: false, reason: err instanceof ToolsealError ? err.message : String(err) };
  }
}
