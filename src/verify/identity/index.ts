export type { SignerIdentity, KeylessSignerIdentity, KeySignerIdentity } from './types.js';
export { FULCIO_CLAIM_OIDS, OID_ISSUER_V1, OID_ISSUER_V2, type FulcioClaimName, type FulcioClaims } from './fulcio-oids.js';
export { signerFromCertificate } from './extract.js';
export { describeSigner, type ClaimedSigner } from './describe.js';
export { matchKeylessIdentity, matchAnyKeylessIdentity, anchoredPattern, refGlob } from './match.js';
