import type { SerializedBundle } from '@sigstore/bundle';
import { signedStatement, type ManifestStatement } from '../attest/statement.js';
import type { Sha256Digest } from '../manifest/canonical.js';
import type { Manifest } from '../manifest/schema.js';
import { claimedSignerOfJson } from '../verify/identity/claimed.js';
import { describeSigner, type ClaimedSigner } from '../verify/identity/describe.js';
import type { ManifestSigner } from './signer.js';

/** What signing produced, for writing out and for the summary. */
export interface SignResult {
  /** The Sigstore bundle (v0.3 JSON) to ship, default file `mcp-manifest.sigstore.json`. */
  bundle: SerializedBundle;
  digest: Sha256Digest;
  statement: ManifestStatement;
  /** Rekor log index and integrated time, when a transparency log was used. */
  logIndex?: string;
  integratedTime?: string;
  /** The signer as the bundle names it: the certificate identity (keyless) or the key hint. Not verified here. */
  signedBy?: ClaimedSigner;
  /** Who signed, for people: the certificate identity when keyless, else the signer's description. */
  signerText: string;
}


/** Signs a manifest: builds the in-toto statement, signs its canonical bytes as DSSE. */
export async function signManifest(manifest: Manifest, signer: ManifestSigner): Promise<SignResult> {
  // The manifest is canonicalized once, for its digest and for the payload alike.
  const { statement, payload } = signedStatement(manifest);
  const bundle = await signer.signStatement(payload);
  const entry = bundle.verificationMaterial?.tlogEntries?.[0];
  const signedBy = signerOf(bundle);
  return {
    bundle,
    // subject[0] already holds the manifest digest: canonicalizing 100 tools again costs ms.
    digest: `sha256:${statement.subject[0]!.digest.sha256}`,
    statement,
    // Protobuf JSON omits zero values, so the first entry of a log has no logIndex field.
    ...(entry ? { logIndex: entry.logIndex ?? '0', integratedTime: entry.integratedTime ?? '0' } : {}),
    ...(signedBy ? { signedBy } : {}),
    signerText: signedBy && 'issuer' in signedBy ? describeSigner(signedBy) : signer.description,
  };
}

/**
 * Who the new bundle names as signer, from its certificate alone: no payload is re-read or
 * re-canonicalized. The signature is already in the transparency log here, so nothing may
 * throw: a certificate this cannot read leaves the signer to the signer's own description.
 */
function signerOf(bundle: SerializedBundle): ClaimedSigner | undefined {
  try {
    return claimedSignerOfJson(bundle);
  } catch {
    return undefined;
  }
}
