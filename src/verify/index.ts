/** Verifying: Sigstore bundles, signer identity, trust material, the manifest verifier and its verdict. */
export * from './identity/index.js';
export * from './trust/index.js';
export * from './artifact/index.js';
export { verifyBundle, assertSigstoreBundle, type VerifyBundleOptions, type VerifiedBundle, type ArtifactInput } from './bundle.js';
export {
  createManifestVerifier, type ManifestVerifier, type ManifestVerifierOptions, type VerifiedAttestation, type AttestedVerdict,
} from './verify-server.js';
export { checkManifestPolicy } from './manifest-policy.js';
export { VerificationCache } from './cache.js';
export { SharedVerificationCaches } from './batch/index.js';
export { VerdictSchema, ProblemSchema, SignerSchema, VERDICT_MEDIA_TYPE, type Verdict, type Problem } from './verdict.js';
export { renderVerdict } from './render-verdict.js';
export { inspectBundle, type BundleClaims } from './inspect.js';
