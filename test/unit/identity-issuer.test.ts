import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { X509Certificate } from '@sigstore/core';
import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OID_ISSUER_V1, OID_ISSUER_V2, signerFromCertificate, VerificationError } from '../../src/internal.js';
import { derUtf8String } from '../../src/testing/der.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const WORKFLOW = 'https://github.com/acme/weather-mcp/.github/workflows/release.yml@refs/heads/main';

/** A DER SAN extension value with the given raw GeneralNames (context tag, bytes). */
function rawSan(names: [number, Buffer][]): Buffer {
  const body = Buffer.concat(names.map(([tag, bytes]) => Buffer.concat([Buffer.from([0x80 | tag, bytes.length]), bytes])));
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** A self-signed certificate with a SAN (a URI by default) and the given issuer extensions (raw .1.1, DER .1.8). */
async function certificateWith(issuers: { v1?: string; v2?: string }, san: Buffer = rawSan([[6, Buffer.from(WORKFLOW)]])): Promise<X509Certificate> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const extensions: x509.Extension[] = [new x509.Extension('2.5.29.17', true, san)];
  if (issuers.v1 !== undefined) extensions.push(new x509.Extension(OID_ISSUER_V1, false, Buffer.from(issuers.v1)));
  if (issuers.v2 !== undefined) extensions.push(new x509.Extension(OID_ISSUER_V2, false, derUtf8String(issuers.v2)));
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: 'CN=test', notBefore: new Date(0), notAfter: new Date(2_000_000_000_000), keys, signingAlgorithm: alg, extensions,
  });
  return X509Certificate.parse(Buffer.from(cert.rawData));
}

describe('the OIDC issuer of a signing certificate', () => {
  it('is read from .1.8 when .1.1 agrees, and from either alone', async () => {
    const gh = 'https://token.actions.githubusercontent.com';
    expect(signerFromCertificate(await certificateWith({ v1: gh, v2: gh })).issuer).toBe(gh);
    expect(signerFromCertificate(await certificateWith({ v2: gh })).issuer).toBe(gh);
    expect(signerFromCertificate(await certificateWith({ v1: gh })).issuer).toBe(gh);
  });

  it('is refused when .1.1 and .1.8 name different issuers (a policy must not check one while others read the other)', async () => {
    const cert = await certificateWith({ v1: 'https://accounts.google.com', v2: 'https://token.actions.githubusercontent.com' });
    let caught: unknown;
    try {
      signerFromCertificate(cert);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(VerificationError);
    expect((caught as VerificationError).code).toBe('CERTIFICATE_IDENTITY_AMBIGUOUS');
  });
});

describe('the subject alternative name of a signing certificate', () => {
  const gh = 'https://token.actions.githubusercontent.com';

  it('is read when it holds exactly one ASCII identity', async () => {
    expect(signerFromCertificate(await certificateWith({ v2: gh })).subject).toBe(WORKFLOW);
  });

  it('is refused when it names two signers (a URI and an e-mail)', async () => {
    const cert = await certificateWith({ v2: gh }, rawSan([[6, Buffer.from(WORKFLOW)], [1, Buffer.from('mallory@example.com')]]));
    expect(() => signerFromCertificate(cert)).toThrow(expect.objectContaining({ code: 'CERTIFICATE_IDENTITY_AMBIGUOUS' }));
  });

  it('is refused when a URI holds non-ASCII bytes, which the decoder would silently fold', async () => {
    const cert = await certificateWith({ v2: gh }, rawSan([[6, Buffer.from('https://github.com/acme/\u00b1/x', 'utf8')]]));
    expect(() => signerFromCertificate(cert)).toThrow(expect.objectContaining({ code: 'CERTIFICATE_EXTENSION_MALFORMED' }));
  });
});
