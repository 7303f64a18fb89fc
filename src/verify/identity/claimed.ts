import type { Bundle } from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import type { ClaimedSigner } from './describe.js';
import { signerFromCertificate } from './extract.js';

/**
 * The signer a bundle names, read without verifying anything: the leaf certificate's
 * identity (keyless) or the key hint. For `inspect` and for reporting what was just signed;
 * never for a trust decision.
 *
 * @throws whatever reading the certificate throws (`signerFromCertificate`'s strict rules)
 */
export function claimedSigner(bundle: Bundle): ClaimedSigner | undefined {
  const material = bundle.verificationMaterial.content;
  if (material.$case === 'publicKey') return { kind: 'key', hint: material.publicKey.hint };
  const certBytes = material.$case === 'certificate' ? material.certificate.rawBytes
    : material.$case === 'x509CertificateChain' ? material.x509CertificateChain.certificates[0]?.rawBytes : undefined;
  return certBytes ? signerFromCertificate(X509Certificate.parse(Buffer.from(certBytes))) : undefined;
}
