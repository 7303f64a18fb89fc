/**
 * Fulcio certificate extensions toolseal reads (sigstore/fulcio `docs/oid-info.md`).
 * `.1.1` is a raw string (legacy); `.1.8` onwards are DER-encoded UTF8Strings.
 */
export const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
export const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';

/** Claim name → Fulcio OID, for the DER-encoded extensions `.1.9`–`.1.23`. */
export const FULCIO_CLAIM_OIDS = {
  buildSignerUri: '1.3.6.1.4.1.57264.1.9',
  buildSignerDigest: '1.3.6.1.4.1.57264.1.10',
  runnerEnvironment: '1.3.6.1.4.1.57264.1.11',
  sourceRepositoryUri: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  sourceRepositoryIdentifier: '1.3.6.1.4.1.57264.1.15',
  sourceRepositoryOwnerUri: '1.3.6.1.4.1.57264.1.16',
  sourceRepositoryOwnerIdentifier: '1.3.6.1.4.1.57264.1.17',
  buildConfigUri: '1.3.6.1.4.1.57264.1.18',
  buildConfigDigest: '1.3.6.1.4.1.57264.1.19',
  buildTrigger: '1.3.6.1.4.1.57264.1.20',
  runInvocationUri: '1.3.6.1.4.1.57264.1.21',
  sourceRepositoryVisibilityAtSigning: '1.3.6.1.4.1.57264.1.22',
  deploymentEnvironment: '1.3.6.1.4.1.57264.1.23',
} as const;

/** The name of one decoded Fulcio claim. */
export type FulcioClaimName = keyof typeof FULCIO_CLAIM_OIDS;

/** Every Fulcio claim the certificate carried, decoded to text. */
export type FulcioClaims = Partial<Record<FulcioClaimName, string>>;
