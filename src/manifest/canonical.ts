import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { ManifestError } from '../errors.js';

/** A digest written as `sha256:<64 lowercase hex>`. */
export type Sha256Digest = `sha256:${string}`;

/**
 * RFC 8785 (JCS) bytes of a JSON value. Lone surrogates and non-finite numbers are
 * errors, never silently replaced, so two parties can never disagree on the bytes.
 *
 * @throws ManifestError `NOT_CANONICALIZABLE`
 */
export function canonicalBytes(value: unknown): Uint8Array {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (err) {
    throw new ManifestError('NOT_CANONICALIZABLE', `The value cannot be canonicalized with RFC 8785: ${(err as Error).message}.`, { cause: err });
  }
  if (text === undefined) {
    throw new ManifestError('NOT_CANONICALIZABLE', 'The value cannot be canonicalized with RFC 8785: it is undefined.');
  }
  return new TextEncoder().encode(text);
}

/** Lowercase hex SHA-256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `sha256:<hex>` of the RFC 8785 bytes of any JSON value (a manifest, or one entry of it). */
export function jsonDigest(value: unknown): Sha256Digest {
  return `sha256:${sha256Hex(canonicalBytes(value))}`;
}

/** Splits `sha256:<hex>` into its hex part, or throws when it is not one. */
export function digestHex(digest: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!match) throw new ManifestError('DIGEST_MALFORMED', `"${digest}" is not a digest of the form sha256:<64 lowercase hex digits>.`);
  return match[1]!;
}
