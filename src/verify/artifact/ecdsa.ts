import type { KeyObject } from 'node:crypto';

/**
 * ECDSA verification over a precomputed digest (SEC 1 §4.1.4), for P-256 and P-384.
 * Node's crypto has no prehashed verify; this uses only public data, so constant time
 * does not matter here. Cross-checked against Node's signer in the unit tests.
 */
interface Curve { p: bigint; a: bigint; n: bigint; g: Point; bits: number }
type Point = { x: bigint; y: bigint } | null;

const P256: Curve = {
  p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
  a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
  n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  g: {
    x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
  },
  bits: 256,
};
const P384: Curve = {
  p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
  a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
  n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  g: {
    x: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    y: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
  },
  bits: 384,
};
const CURVES: Record<string, Curve> = { 'P-256': P256, 'P-384': P384 };

/** True when the DER-encoded ECDSA `signature` is valid for `digest` under `key`. */
export function verifyEcdsaPrehashed(key: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const jwk = key.export({ format: 'jwk' });
  const curve = CURVES[jwk.crv ?? ''];
  const rs = parseDerSignature(signature);
  if (!curve || !rs || !jwk.x || !jwk.y) return false;
  const [r, s] = rs;
  if (r <= 0n || r >= curve.n || s <= 0n || s >= curve.n) return false;
  const q = { x: fromB64u(jwk.x), y: fromB64u(jwk.y) };
  const e = truncate(digest, curve);
  const w = modInverse(s, curve.n);
  const point = add(mul(curve.g, (e * w) % curve.n, curve), mul(q, (r * w) % curve.n, curve), curve);
  return point !== null && point.x % curve.n === r;
}

function truncate(digest: Uint8Array, curve: Curve): bigint {
  let e = toBig(digest);
  const excess = digest.length * 8 - curve.bits;
  if (excess > 0) e >>= BigInt(excess);
  return e;
}

function add(p1: Point, p2: Point, c: Curve): Point {
  if (p1 === null) return p2;
  if (p2 === null) return p1;
  let lambda: bigint;
  if (p1.x === p2.x) {
    if ((p1.y + p2.y) % c.p === 0n) return null;
    lambda = mod((3n * p1.x * p1.x + c.a) * modInverse(2n * p1.y, c.p), c.p);
  } else {
    lambda = mod((p2.y - p1.y) * modInverse(mod(p2.x - p1.x, c.p), c.p), c.p);
  }
  const x = mod(lambda * lambda - p1.x - p2.x, c.p);
  return { x, y: mod(lambda * (p1.x - x) - p1.y, c.p) };
}

function mul(point: Point, k: bigint, c: Curve): Point {
  let result: Point = null;
  let addend = point;
  while (k > 0n) {
    if (k & 1n) result = add(result, addend, c);
    addend = add(addend, addend, c);
    k >>= 1n;
  }
  return result;
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** Modular inverse by the extended Euclidean algorithm (m is prime, a ≠ 0 mod m). */
function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS, m);
}

/** Parses DER `SEQUENCE { INTEGER r, INTEGER s }` strictly; undefined when malformed. */
function parseDerSignature(sig: Uint8Array): [bigint, bigint] | undefined {
  if (sig.length < 8 || sig[0] !== 0x30 || sig[1] !== sig.length - 2 || sig[1]! >= 0x80) return undefined;
  const ints: bigint[] = [];
  let i = 2;
  for (let k = 0; k < 2; k++) {
    if (sig[i] !== 0x02) return undefined;
    const len = sig[i + 1]!;
    if (len === 0 || len >= 0x80 || i + 2 + len > sig.length) return undefined;
    ints.push(toBig(sig.subarray(i + 2, i + 2 + len)));
    i += 2 + len;
  }
  return i === sig.length ? [ints[0]!, ints[1]!] : undefined;
}

function toBig(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function fromB64u(text: string): bigint {
  return toBig(Buffer.from(text, 'base64url'));
}
