import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { PolicyError } from '../errors.js';
import { readTextFile } from '../io/files.js';

/** True when the text is PEM rather than a path to a PEM file. */
export function looksLikePem(text: string): boolean {
  return text.trimStart().startsWith('-----BEGIN ');
}

/**
 * Parses a PEM public key (SPKI `PUBLIC KEY`, or an X.509 certificate's key is refused:
 * a policy pins keys, not certificates).
 *
 * @throws PolicyError `PUBLIC_KEY_INVALID` naming `source`
 */
export function parsePublicKeyPem(pem: string, source: string): KeyObject {
  if (!/-----BEGIN PUBLIC KEY-----/.test(pem)) {
    throw new PolicyError('PUBLIC_KEY_INVALID', `${source} is not a PEM public key (expected a "-----BEGIN PUBLIC KEY-----" block). Export the key with e.g. "openssl pkey -pubout".`);
  }
  try {
    return createPublicKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new PolicyError('PUBLIC_KEY_INVALID', `${source} holds a PEM block that is not a valid public key (${(err as Error).message}).`, { cause: err });
  }
}

/** Reads and checks a PEM public key file; returns its text. */
export async function readPublicKeyPem(path: string): Promise<string> {
  const pem = await readTextFile(path);
  parsePublicKeyPem(pem, path);
  return pem;
}

/** `sha256:<hex>` of a key's DER SubjectPublicKeyInfo: a stable name for a pinned key. */
export function publicKeyFingerprint(key: KeyObject): string {
  return `sha256:${createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}
