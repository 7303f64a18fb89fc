import type { KeyObject } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';

/**
 * ECDSA verification over a precomputed digest (SEC 1 §4.1.4) for P-256, P-384 and P-521,
 * with @noble/curves (audited, maintained): Node's crypto always hashes its input, so it has
 * no prehashed verify. The signature must be strict DER (no zero padding, no negative
 * integers, no trailing bytes; noble's DER reader refuses them); high-S signatures are
 * accepted, as OpenSSL, Go and sigstore-js accept them. A digest longer than the curve order
 * is truncated to its leftmost bits, as the standard says.
 */
const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/** True when the DER-encoded ECDSA `signature` is valid for `digest` under `key`. */
export function verifyEcdsaPrehashed(key: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const jwk = key.export({ format: 'jwk' });
  const curve = CURVES[jwk.crv as keyof typeof CURVES] as (typeof CURVES)[keyof typeof CURVES] | undefined;
  if (!curve || !jwk.x || !jwk.y) return false;
  const point = new Uint8Array([0x04, ...Buffer.from(jwk.x, 'base64url'), ...Buffer.from(jwk.y, 'base64url')]);
  try {
    return curve.verify(signature, digest, point, { prehash: false, format: 'der', lowS: false });
  } catch {
    // Malformed DER, a point off the curve: not a valid signature.
    return false;
  }
}
