import { constants, publicDecrypt, type KeyObject } from 'node:crypto';
import { crypto as sigstoreCrypto } from '@sigstore/core';
import type { SignedEntity } from '@sigstore/verify';
import { verifyEcdsaPrehashed } from './ecdsa.js';

type SignatureContent = SignedEntity['signature'];

/** The hashes a message-signature bundle may name (`messageDigest.algorithm`), as Node names them. */
export type PrehashAlgorithm = 'sha256' | 'sha384' | 'sha512';

// DER DigestInfo prefixes (RFC 8017 §9.2 note 1).
const DIGEST_INFO: Record<PrehashAlgorithm, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};
const DIGEST_BYTES: Record<PrehashAlgorithm, number> = { sha256: 32, sha384: 48, sha512: 64 };

/**
 * Signature content for a message-signature bundle when only the artifact's digest is known
 * (`sha256:` input): the signature is checked over the digest itself, in the hash the bundle
 * names. ECDSA uses @noble/curves' prehashed verify (strict DER); RSA PKCS#1 v1.5 compares the
 * recovered DigestInfo of that hash.
 */
export function prehashedSignatureContent(signature: Buffer, digest: Buffer, algorithm: PrehashAlgorithm = 'sha256'): SignatureContent {
  return {
    signature,
    compareSignature: (other) => sigstoreCrypto.bufferEqual(other, signature),
    compareDigest: (other) => sigstoreCrypto.bufferEqual(other, digest),
    compareSignedDigest: (other) => sigstoreCrypto.bufferEqual(other, digest),
    verifySignature: (key) => verifyPrehashed(key, digest, signature, algorithm),
  };
}

/** Verifies `signature` over a `digest` of `algorithm` (not over the message) with `key`. */
export function verifyPrehashed(key: KeyObject, digest: Buffer, signature: Buffer, algorithm: PrehashAlgorithm = 'sha256'): boolean {
  if (digest.length !== DIGEST_BYTES[algorithm]) return false;
  switch (key.asymmetricKeyType) {
    case 'ec':
      return verifyEcdsaPrehashed(key, digest, signature);
    case 'rsa':
      try {
        const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
        return recovered.equals(Buffer.concat([DIGEST_INFO[algorithm], digest]));
      } catch {
        return false;
      }
    default:
      // Ed25519 signs the message itself; a digest alone cannot be checked.
      return false;
  }
}
