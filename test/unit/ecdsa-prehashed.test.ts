import { createHash, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyPrehashed, type PrehashAlgorithm } from '../../src/verify/artifact/prehashed.js';

const ORDER: Record<string, bigint> = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

/** DER INTEGER body bytes (minimal, two's complement positive) of a non-negative bigint. */
function intBytes(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}
function der(r: Buffer, s: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, s.length]), s]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
function parse(sig: Buffer): { r: Buffer; s: Buffer } {
  const rLen = sig[3]!;
  const r = sig.subarray(4, 4 + rLen);
  const s = sig.subarray(6 + rLen, 6 + rLen + sig[5 + rLen]!);
  return { r, s };
}

/** A signature whose r has its high bit set (DER needs a 0x00 pad there), and one whose r does not. */
function signatures(privateKey: KeyObject, hash: string, wantPadded: boolean): { message: Buffer; sig: Buffer } {
  for (let i = 0; ; i++) {
    const message = Buffer.from(`message ${i}`);
    const sig = sign(hash, message, privateKey);
    if ((parse(sig).r[0] === 0) === wantPadded) return { message, sig };
  }
}

describe('prehashed ECDSA: strict DER and the hash the bundle names (@noble/curves)', () => {
  for (const [namedCurve, hash] of [['P-256', 'sha256'], ['P-384', 'sha384'], ['P-384', 'sha256']] as const) {
    it(`${namedCurve} over ${hash}: agrees with Node on valid and high-S signatures, refuses every malformed encoding`, () => {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve });
      const { message, sig } = signatures(privateKey, hash, false);
      const digest = createHash(hash).update(message).digest();
      const algorithm = hash as PrehashAlgorithm;
      expect(verifyPrehashed(publicKey, digest, sig, algorithm)).toBe(true);
      const { r, s } = parse(sig);
      // High S (n - s) is a valid ECDSA signature: OpenSSL accepts it, so must toolseal.
      const highS = der(r, intBytes(ORDER[namedCurve]! - BigInt(`0x${s.toString('hex')}`)));
      expect(verify(hash, message, publicKey, highS)).toBe(true);
      expect(verifyPrehashed(publicKey, digest, highS, algorithm)).toBe(true);
      const malformed: Record<string, Buffer> = {
        'zero-padded r': der(Buffer.concat([Buffer.from([0]), r]), s),
        'zero-padded s': der(r, Buffer.concat([Buffer.from([0, 0]), s.subarray(s[0] === 0 ? 1 : 0)])),
        'trailing byte after the sequence': Buffer.concat([sig, Buffer.from([0])]),
        'trailing byte inside the sequence': (() => { const b = Buffer.concat([sig, Buffer.from([0])]); b[1]! += 1; return b; })(),
        'sequence length too long': (() => { const b = Buffer.from(sig); b[1]! += 1; return b; })(),
        'BER long-form length': Buffer.concat([Buffer.from([0x30, 0x81, sig[1]!]), sig.subarray(2)]),
        'not a sequence': (() => { const b = Buffer.from(sig); b[0] = 0x31; return b; })(),
        'r is zero': der(Buffer.from([0]), s),
        'r equals the order': der(intBytes(ORDER[namedCurve]!), s),
        'raw r||s instead of DER': Buffer.concat([r, s.subarray(s[0] === 0 ? 1 : 0)]),
        empty: Buffer.alloc(0),
      };
      for (const [what, bad] of Object.entries(malformed)) expect(verifyPrehashed(publicKey, digest, bad, algorithm), what).toBe(false);
    });
  }

  it('refuses a negative integer (r with its high bit set and the 0x00 pad removed)', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { message, sig } = signatures(privateKey, 'sha256', true);
    const digest = createHash('sha256').update(message).digest();
    const { r, s } = parse(sig);
    expect(verifyPrehashed(publicKey, digest, sig)).toBe(true);
    expect(verifyPrehashed(publicKey, digest, der(r.subarray(1), s))).toBe(false);
  });

  it('checks the digest in the hash the bundle names: a digest of another length is refused', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const message = Buffer.from('m');
    const sig = sign('sha256', message, privateKey);
    const digest = createHash('sha256').update(message).digest();
    expect(verifyPrehashed(publicKey, digest, sig, 'sha256')).toBe(true);
    expect(verifyPrehashed(publicKey, digest, sig, 'sha384')).toBe(false);
  });

  it('RSA PKCS#1 v1.5 compares the DigestInfo of the named hash', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
      const sig = sign(hash, Buffer.from('m'), privateKey);
      const digest = createHash(hash).update('m').digest();
      expect(verifyPrehashed(publicKey, digest, sig, hash), hash).toBe(true);
    }
    const sha384sig = sign('sha384', Buffer.from('m'), privateKey);
    // The same bytes named as another hash: the DigestInfo differs.
    expect(verifyPrehashed(publicKey, createHash('sha384').update('m').digest(), sha384sig, 'sha512')).toBe(false);
  });
});
