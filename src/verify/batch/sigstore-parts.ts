/**
 * The pieces of sigstore-js's `Verifier` that the shared-cache verifier composes, imported
 * from `@sigstore/verify`'s own modules (the package exports only the whole `Verifier`).
 * They are the same functions `Verifier.verify` calls, so every per-bundle check is
 * sigstore-js's; package-lock.json pins the version, and the conformance vectors run both
 * ways (one at a time and as one batch) in `test/e2e/conformance-batch.test.ts`, so a
 * change in these internals shows as a failing test, not as a silent difference.
 */
export { CertificateChainVerifier } from '@sigstore/verify/dist/key/certificate.js';
export { verifySCTs } from '@sigstore/verify/dist/key/sct.js';
export { verifyPublicKey } from '@sigstore/verify/dist/key/index.js';
export { getTLogTimestamp } from '@sigstore/verify/dist/timestamp/index.js';
export { verifyTLogBody } from '@sigstore/verify/dist/tlog/index.js';
export { verifyTLogSET } from '@sigstore/verify/dist/tlog/set.js';
export { verifyCheckpoint, type LogCheckpoint } from '@sigstore/verify/dist/tlog/checkpoint.js';
export { verifyMerkleInclusion } from '@sigstore/verify/dist/tlog/merkle.js';
export { filterCertAuthorities } from '@sigstore/verify/dist/trust/filter.js';
export type { CertAuthority, TLogAuthority } from '@sigstore/verify/dist/trust/trust.types.js';
