import { createHash, sign, verify, type KeyObject } from 'node:crypto';

/** The claims of a JSON Web Token: any JSON values, keyed by claim name. */
export type JwtClaims = Record<string, unknown>;

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** A key id in the style of a JWKS `kid`: a short SHA-256 of the SPKI bytes. */
export function keyIdOf(publicKey: KeyObject): string {
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return createHash('sha256').update(spki).digest('base64url').slice(0, 16);
}

/** Signs `claims` as an ES256 compact JWT (JOSE signatures are raw r||s, not DER). */
export function signJwt(claims: JwtClaims, privateKey: KeyObject, kid: string): string {
  const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid }));
  const payload = b64url(JSON.stringify(claims));
  const signingInput = `${header}.${payload}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${b64url(signature)}`;
}

/**
 * Verifies an ES256 compact JWT against `publicKey` and returns its claims.
 * Throws an Error whose message names the problem and never contains the token itself.
 */
export function verifyJwt(token: string, publicKey: KeyObject): JwtClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('identity token is not a compact JWT (expected three parts)');
  const [header, payload, signature] = parts as [string, string, string];
  const alg = parseSegment(header, 'header')['alg'];
  if (alg !== 'ES256') throw new Error(`identity token uses alg ${String(alg)}; only ES256 is accepted`);
  const ok = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) throw new Error('identity token signature does not verify against the issuer key');
  return parseSegment(payload, 'payload');
}

function parseSegment(segment: string, what: string): JwtClaims {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as JwtClaims;
  } catch {
    throw new Error(`identity token ${what} is not a base64url JSON object`);
  }
}
