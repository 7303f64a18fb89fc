import { readFileSync } from 'node:fs';
import { X509Certificate } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/verify/certificate.js';

const bundle = JSON.parse(readFileSync('test/vectors/sigstore-conformance/bundle-verify/bundle-with-sct-with-extensions/bundle.sigstore.json', 'utf8')) as {
  verificationMaterial: { certificate: { rawBytes: string } };
};
const der = Buffer.from(bundle.verificationMaterial.certificate.rawBytes, 'base64');

describe('parseCertificate', () => {
  it('reads a Fulcio leaf as X509Certificate.parse does, and leaves Error.stackTraceLimit as it was', () => {
    const limit = Error.stackTraceLimit;
    const ours = parseCertificate(der);
    expect(Error.stackTraceLimit).toBe(limit);
    const theirs = X509Certificate.parse(der);
    expect(ours.subjectAltName).toBe(theirs.subjectAltName);
    expect(ours.extSCT?.signedCertificateTimestamps.length).toBe(theirs.extSCT?.signedCertificateTimestamps.length);
    expect(Buffer.from(ours.tbsCertificate.toDER()).equals(Buffer.from(theirs.tbsCertificate.toDER()))).toBe(true);
  });

  it('throws for bytes that are no certificate, and still restores the limit', () => {
    const limit = Error.stackTraceLimit;
    expect(() => parseCertificate(Buffer.from([0x30, 0x82, 0xff]))).toThrow();
    expect(Error.stackTraceLimit).toBe(limit);
  });
});
