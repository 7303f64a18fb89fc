import { constants, publicDecrypt, type KeyObject } from 'node:crypto';
import { crypto as sigstoreCrypto } from '@sigstore/core';
import type { SignedEntity } from '@sigstore/verify';
import { verifyEcdsaPrehashed } from './ecdsa.js';

type SignatureContent = SignedEntity['signature'];

// DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * Signature content for a message-signature bundle when only the artifact's SHA-256 is
 * known (`sha256:` input): the signature is checked over the digest itself. Node's crypto
 * always hashes its input, so ECDSA uses toolseal's verifier over the digest and RSA
 * PKCS#1 v1.5 compares the recovered DigestInfo.
 */
export function prehashedSignatureContent(signature: Buffer, digest: Buffer): SignatureContent {
  return {
    signature,
    compareSignature: (other) => sigstoreCrypto.bufferEqual(other, signature),
    compareDigest: (other) => sigstoreCrypto.bufferEqual(other, digest),
    compareSignedDigest: (other) => sigstoreCrypto.bufferEqual(other, digest),
    verifySignature: (key) => verifyPrehashed(key, digest, signature),
  };
}

/** Verifies `signature` over a SHA-256 `digest` (not over the message) with `key`. */
export function verifyPrehashed(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return verifyEcdsaPrehashed(key, digest, signature);
    case 'rsa':
      try {
        const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
        return recovered.equals(Buffer.concat([SHA256_DIGEST_INFO, digest]));
      } catch {
        return false;
      }
    default:
      // Ed25519 signs the message itself; a digest alone cannot be checked.
      return false;
  }
}
