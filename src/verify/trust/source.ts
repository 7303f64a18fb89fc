import type { TrustMaterial } from '@sigstore/verify';

/**
 * Where verification gets its trust material. The seam lets tests plug in a
 * `trusted_root.json` file while production uses Sigstore public-good through TUF.
 */
export interface TrustSource {
  /** A short description for messages, e.g. "Sigstore public-good (TUF)". */
  readonly description: string;
  /** Loads and validates the trusted root and builds the trust material (once; callers reuse it). */
  load(): Promise<TrustMaterial>;
}
