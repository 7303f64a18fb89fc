import type { SignerIdentity } from './types.js';

/** A signer as a bundle merely claims it (read by `inspectBundle`): a key without a verified fingerprint. */
export type ClaimedSigner = SignerIdentity | { kind: 'key'; hint?: string | undefined };

/**
 * Who signed, for people, the one way every face says it: `<subject> (issuer <issuer>,
 * repository <repo>)` for a certificate, `key sha256:…` for a pinned key (or `key hint …`
 * when only the bundle's unverified hint is known).
 */
export function describeSigner(signer: ClaimedSigner): string {
  if (signer.kind === 'key') {
    if ('publicKeyFingerprint' in signer) return `key ${signer.publicKeyFingerprint}`;
    return signer.hint ? `key hint ${signer.hint}` : 'a key (no hint)';
  }
  const repo = signer.claims.sourceRepositoryUri ? `, repository ${signer.claims.sourceRepositoryUri}` : '';
  return `${signer.subject} (issuer ${signer.issuer}${repo})`;
}
