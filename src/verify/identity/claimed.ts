import type { Bundle, SerializedBundle } from '@sigstore/bundle';
import { parseCertificate } from '../certificate.js';
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
  return certBytes ? signerFromCertificate(parseCertificate(Buffer.from(certBytes))) : undefined;
}

/**
 * {@link claimedSigner} of a bundle as JSON, reading only its verification material: the
 * (often 100+ KiB) payload is not decoded, as `bundleFromJSON` would. For reporting what was
 * just signed; never for a trust decision.
 *
 * @throws whatever reading the certificate throws
 */
export function claimedSignerOfJson(bundle: SerializedBundle): ClaimedSigner | undefined {
  const material = bundle.verificationMaterial;
  if (material.publicKey) return { kind: 'key', hint: material.publicKey.hint };
  const certBase64 = material.certificate?.rawBytes ?? material.x509CertificateChain?.certificates[0]?.rawBytes;
  return certBase64 ? signerFromCertificate(parseCertificate(Buffer.from(certBase64, 'base64'))) : undefined;
}
