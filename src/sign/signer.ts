import type { SerializedBundle } from '@sigstore/bundle';

/**
 * The seam between "what to sign" and "how": a signer turns the statement bytes into a
 * Sigstore bundle. Keyless (Fulcio + Rekor), key-based, or anything a test plugs in on
 * loopback all implement this one method.
 */
export interface ManifestSigner {
  /** A short description for summaries, e.g. "keyless (Fulcio https://fulcio.sigstore.dev)". */
  readonly description: string;
  /** The public key (PEM) of a key-based signer, so whoever records an approval can pin it. Absent when keyless. */
  readonly publicKeyPem?: string;
  /**
   * Signs an in-toto statement payload as a DSSE envelope and returns the bundle
   * (Sigstore bundle v0.3, JSON form).
   */
  signStatement(payload: Buffer): Promise<SerializedBundle>;
}
