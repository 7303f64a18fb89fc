import { generateKeyPairSync } from 'node:crypto';

/** A PEM key pair for key-based (no Fulcio) signing tests. */
export interface SigningKeyPair {
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  /** SPKI PEM: what a verifier's policy or trust material lists. */
  publicKeyPem: string;
}

/** Generates an ECDSA P-256 key pair, the key type Sigstore bundles and Rekor entries assume. */
export function generateSigningKey(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}
