import { ASN1Obj, type X509Certificate } from '@sigstore/core';
import { VerificationError } from '../../errors.js';
import { FULCIO_CLAIM_OIDS, OID_ISSUER_V1, OID_ISSUER_V2, type FulcioClaimName, type FulcioClaims } from './fulcio-oids.js';
import type { KeylessSignerIdentity } from './types.js';

const UTF8_STRING_TAG = 0x0c;
const OID_OTHERNAME_SAN = '1.3.6.1.4.1.57264.1.7';

/**
 * Reads who signed from a Fulcio leaf certificate: the SAN (URI, e-mail or Fulcio
 * username), the OIDC issuer, and every Fulcio claim, each DER-decoded (UTF8String)
 * rather than compared as raw bytes, which is how sigstore-js's `certificateOIDs` fails.
 *
 * @throws VerificationError `CERTIFICATE_IDENTITY_MISSING` or `CERTIFICATE_EXTENSION_MALFORMED`
 */
export function signerFromCertificate(cert: X509Certificate): KeylessSignerIdentity {
  const extensions = extensionValues(cert);
  const subject = subjectOf(cert, extensions);
  const issuer = issuerOf(extensions);
  const claims: FulcioClaims = {};
  for (const [name, oid] of Object.entries(FULCIO_CLAIM_OIDS) as [FulcioClaimName, string][]) {
    const value = derUtf8Extension(extensions, oid);
    if (value !== undefined) claims[name] = value;
  }
  return { kind: 'keyless', issuer, subject, claims };
}

/** The extnValue contents of a certificate's extensions, by OID. */
type ExtensionValues = Map<string, Uint8Array>;

/**
 * Every extension's value keyed by its OID, decoded once. `cert.extension(oid)` decodes the
 * OID of every extension on each call, and reading a Fulcio identity asks for some twenty
 * OIDs. Like that lookup, the first extension with an OID wins (an Extension is
 * SEQUENCE { extnID, critical?, extnValue }: the value is the last element).
 */
function extensionValues(cert: X509Certificate): ExtensionValues {
  const values: ExtensionValues = new Map();
  try {
    for (const ext of cert.extensions) {
      const oid = ext.subs[0]!.toOID();
      if (!values.has(oid)) values.set(oid, ext.subs[ext.subs.length - 1]!.value);
    }
  } catch (err) {
    throw malformed('extensions', err);
  }
  return values;
}

function subjectOf(cert: X509Certificate, extensions: ExtensionValues): string {
  checkSubjectAltNames(extensions);
  let subject: string | undefined;
  try {
    const san = cert.extSubjectAltName;
    subject = san?.uri ?? san?.rfc822Name ?? san?.otherName(OID_OTHERNAME_SAN);
  } catch (err) {
    throw malformed('subject alternative name', err);
  }
  if (!subject) {
    throw new VerificationError('CERTIFICATE_IDENTITY_MISSING', 'The signing certificate has no subject alternative name (URI, e-mail or username), so its signer cannot be identified. It was not issued by a Fulcio instance toolseal understands.');
  }
  return subject;
}

const OID_SUBJECT_ALT_NAME = '2.5.29.17';
/** GeneralName choices that name a signer: otherName [0], rfc822Name [1], URI [6]. */
const IDENTITY_NAME_TAGS = new Set([0, 1, 6]);

/**
 * Checks the SAN extension byte by byte before anything reads it: exactly one identity
 * name (Fulcio issues one; several would let a policy match one while another verifier
 * reads another), and e-mail and URI names in ASCII as IA5String requires (the decoder
 * underneath clears the high bit of each byte, so `±` would read as `1`).
 */
function checkSubjectAltNames(extensions: ExtensionValues): void {
  const value = extensions.get(OID_SUBJECT_ALT_NAME);
  if (!value) return;
  let names: ASN1Obj[];
  try {
    names = ASN1Obj.parseBuffer(Buffer.from(value)).subs;
  } catch (err) {
    throw malformed('subject alternative name', err);
  }
  const identities = names.filter((n) => n.tag.isContextSpecific() && IDENTITY_NAME_TAGS.has(n.tag.number));
  if (identities.length > 1) {
    throw new VerificationError('CERTIFICATE_IDENTITY_AMBIGUOUS', `The signing certificate names ${identities.length} signers in its subject alternative name; Fulcio issues exactly one, so it is refused.`);
  }
  for (const name of identities) {
    if (name.tag.number !== 0 && name.value.some((byte) => byte >= 0x80)) {
      throw new VerificationError('CERTIFICATE_EXTENSION_MALFORMED', 'The signing certificate\'s subject alternative name has non-ASCII bytes, which an e-mail or URI name (IA5String) cannot hold; it is refused.');
    }
  }
}

function issuerOf(extensions: ExtensionValues): string {
  const v2 = derUtf8Extension(extensions, OID_ISSUER_V2);
  const v1value = extensions.get(OID_ISSUER_V1);
  const v1 = v1value ? decodeUtf8(v1value, OID_ISSUER_V1) : undefined;
  // Real Fulcio writes both with the same value; two different issuers in one certificate
  // would let a policy check one while another verifier reads the other.
  if (v2 !== undefined && v1 !== undefined && v1 !== v2) {
    throw new VerificationError('CERTIFICATE_IDENTITY_AMBIGUOUS', `The signing certificate names two different OIDC issuers (${OID_ISSUER_V2}: "${v2}", ${OID_ISSUER_V1}: "${v1}"); it is refused.`);
  }
  if (v2 !== undefined) return v2;
  if (v1 !== undefined) return v1;
  throw new VerificationError('CERTIFICATE_IDENTITY_MISSING', `The signing certificate carries no OIDC issuer (extension ${OID_ISSUER_V2} or ${OID_ISSUER_V1}), so its signer cannot be identified.`);
}

/** The text of a DER UTF8String extension, or undefined when the certificate lacks it. */
function derUtf8Extension(extensions: ExtensionValues, oid: string): string | undefined {
  const value = extensions.get(oid);
  if (!value) return undefined;
  let obj: ASN1Obj;
  try {
    // extnValue is an OCTET STRING whose content is the DER-encoded value.
    obj = ASN1Obj.parseBuffer(Buffer.from(value));
  } catch (err) {
    throw malformed(`extension ${oid}`, err);
  }
  if (!obj.tag.isUniversal() || obj.tag.number !== UTF8_STRING_TAG || obj.tag.constructed) {
    throw malformed(`extension ${oid}`, new Error(`expected a DER UTF8String, found tag 0x${obj.tag.toDER().toString(16)}`));
  }
  return decodeUtf8(obj.value, oid);
}

function decodeUtf8(bytes: Uint8Array, oid: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw malformed(`extension ${oid}`, err);
  }
}

function malformed(what: string, cause: unknown): VerificationError {
  return new VerificationError('CERTIFICATE_EXTENSION_MALFORMED', `The signing certificate's ${what} is malformed (${(cause as Error).message}); the certificate is refused.`, { cause });
}
