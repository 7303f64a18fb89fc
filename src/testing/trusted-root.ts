/** The Sigstore trusted root media type (trusted_root.json, protobuf-specs TrustedRoot). */
export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';

/** A trusted_root.json document in its protobuf-JSON form (bytes as base64, times as RFC 3339). */
export interface TrustedRootJson {
  mediaType: string;
  tlogs: TransparencyLogInstanceJson[];
  certificateAuthorities: CertificateAuthorityJson[];
  ctlogs: TransparencyLogInstanceJson[];
  timestampAuthorities: CertificateAuthorityJson[];
}

/** One transparency log (Rekor) or CT log entry of a trusted root. */
export interface TransparencyLogInstanceJson {
  baseUrl: string;
  hashAlgorithm: 'SHA2_256';
  publicKey: { rawBytes: string; keyDetails: 'PKIX_ECDSA_P256_SHA_256'; validFor: { start: string } };
  logId: { keyId: string };
}

/** One certificate authority (Fulcio) or timestamp authority entry of a trusted root. */
export interface CertificateAuthorityJson {
  subject: { organization: string; commonName: string };
  uri: string;
  certChain: { certificates: { rawBytes: string }[] };
  validFor: { start: string };
}

/** Everything the trusted root names, as the local services hold it. */
export interface TrustedRootParts {
  validFrom: Date;
  rekor: { url: string; publicKeyDer: Buffer; logId: Buffer };
  ctlog: { url: string; publicKeyDer: Buffer; logId: Buffer };
  fulcio: { url: string; certChainDer: Buffer[] };
  tsa: { url: string; certChainDer: Buffer[] };
}

const b64 = (bytes: Buffer): string => bytes.toString('base64');

function log(url: string, publicKeyDer: Buffer, logId: Buffer, start: string): TransparencyLogInstanceJson {
  return {
    baseUrl: url,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: b64(publicKeyDer), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
    logId: { keyId: b64(logId) },
  };
}

function authority(url: string, commonName: string, chain: Buffer[], start: string): CertificateAuthorityJson {
  return {
    subject: { organization: 'toolseal.testing', commonName },
    uri: url,
    certChain: { certificates: chain.map((der) => ({ rawBytes: b64(der) })) },
    validFor: { start },
  };
}

/**
 * Builds the trusted root of a local Sigstore. Every authority is valid from `validFrom` with
 * no end, so bundles signed now keep verifying later: verification compares certificates with
 * the signing timestamps, never with the wall clock.
 */
export function buildTrustedRoot(parts: TrustedRootParts): TrustedRootJson {
  const start = parts.validFrom.toISOString();
  return {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [log(parts.rekor.url, parts.rekor.publicKeyDer, parts.rekor.logId, start)],
    certificateAuthorities: [authority(parts.fulcio.url, 'toolseal-local-fulcio', parts.fulcio.certChainDer, start)],
    ctlogs: [log(parts.ctlog.url, parts.ctlog.publicKeyDer, parts.ctlog.logId, start)],
    timestampAuthorities: [authority(parts.tsa.url, 'toolseal-local-tsa', parts.tsa.certChainDer, start)],
  };
}
