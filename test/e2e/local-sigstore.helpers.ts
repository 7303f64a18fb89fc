import { createPrivateKey, createPublicKey, createHash, sign } from 'node:crypto';
import { bundleFromJSON, bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import { TrustedRoot, PublicKeyDetails, type PublicKey } from '@sigstore/protobuf-specs';
import { DSSEBundleBuilder, RekorWitness, TSAWitness, type Signer } from '@sigstore/sign';
import { Verifier, toSignedEntity, toTrustMaterial, type Signer as VerifiedSigner } from '@sigstore/verify';
import type { LocalSigstore, SigningKeyPair, TrustedRootJson } from '../../src/testing/index.js';

/** An in-toto Statement v1 with one subject, as toolseal signs them. */
export function statementBytes(name = 'weather-mcp'): Buffer {
  const predicate = { server: { name, version: '1.0.0' }, tools: [] };
  const digest = createHash('sha256').update(JSON.stringify(predicate)).digest('hex');
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name, digest: { sha256: digest } }],
      predicateType: 'https://toolseal.dev/mcp-manifest/v1',
      predicate,
    }),
  );
}

export const IN_TOTO = 'application/vnd.in-toto+json';

/** Verifies with @sigstore/verify's strict defaults (1 tlog entry, 1 SCT, 1 timestamp). */
export function verifyBundle(
  bundle: SerializedBundle,
  root: TrustedRootJson,
  keys?: Record<string, PublicKey>,
): VerifiedSigner {
  const trust = toTrustMaterial(TrustedRoot.fromJSON(root), keys);
  return new Verifier(trust).verify(toSignedEntity(bundleFromJSON(bundle)));
}

/** The leaf certificate of a keyless bundle. */
export function leafCertificate(bundle: SerializedBundle): X509Certificate {
  const material = bundle.verificationMaterial as { certificate?: { rawBytes: string } };
  if (!material.certificate) throw new Error('bundle has no certificate');
  return X509Certificate.parse(Buffer.from(material.certificate.rawBytes, 'base64'));
}

/** Decodes a Fulcio extension that must be a DER UTF8String (tag 12, short length). */
export function utf8Extension(cert: X509Certificate, oid: string): string {
  const value = cert.extension(oid)?.value;
  if (!value) throw new Error(`no extension ${oid}`);
  if (value[0] !== 0x0c) throw new Error(`extension ${oid} is not a DER UTF8String (tag ${value[0]})`);
  const length = value[1] as number;
  if (length >= 0x80 || value.length !== length + 2) throw new Error(`extension ${oid} has an unexpected length`);
  return value.subarray(2).toString('utf8');
}

/** A key-based signer over a PEM private key, as sigstore-js's Signer interface wants. */
export function keySigner(key: SigningKeyPair, hint: string): Signer {
  return {
    sign: async (data) => ({
      signature: sign('sha256', data, createPrivateKey(key.privateKeyPem)),
      key: { $case: 'publicKey', publicKey: key.publicKeyPem, hint },
    }),
  };
}

/** Signs a DSSE statement with a plain key, witnessed by the local Rekor and TSA. */
export async function signWithKey(local: LocalSigstore, key: SigningKeyPair, hint: string): Promise<SerializedBundle> {
  const builder = new DSSEBundleBuilder({
    signer: keySigner(key, hint),
    witnesses: [
      new RekorWitness({ rekorBaseURL: local.rekorURL, entryType: 'dsse' }),
      new TSAWitness({ tsaBaseURL: local.tsaURL }),
    ],
  });
  return bundleToJSON(await builder.create({ data: statementBytes(), type: IN_TOTO }));
}

/** Trust material entry for a public key, keyed by its hint. */
export function trustedKey(key: SigningKeyPair): PublicKey {
  return {
    rawBytes: createPublicKey(key.publicKeyPem).export({ format: 'der', type: 'spki' }),
    keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
  };
}
