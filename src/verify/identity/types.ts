import type { FulcioClaims } from './fulcio-oids.js';

/** A signer identified by a Fulcio certificate (keyless signing). */
export interface KeylessSignerIdentity {
  kind: 'keyless';
  /** The OIDC issuer (Fulcio extension 1.3.6.1.4.1.57264.1.8, or legacy .1.1). */
  issuer: string;
  /** The certificate's SAN: a URI (CI workflows), an e-mail address, or a username. */
  subject: string;
  /** Every Fulcio claim extension present, DER-decoded (`.1.9`–`.1.23`). */
  claims: FulcioClaims;
}

/** A signer identified by a public key the policy pinned (no certificate). */
export interface KeySignerIdentity {
  kind: 'key';
  /** The key hint the bundle carried, if any (informational: never used to decide trust). */
  hint?: string | undefined;
  /** `sha256:<hex>` of the public key's DER SubjectPublicKeyInfo. */
  publicKeyFingerprint: string;
}

/** Who signed a bundle, as verified. */
export type SignerIdentity = KeylessSignerIdentity | KeySignerIdentity;
