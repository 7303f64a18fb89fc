/** Sigstore bundle verification, signer identity, trust material, and verifying arbitrary artifacts. */
export * from './identity/index.js';
export * from './trust/index.js';
export { verifyBundle, assertSigstoreBundle, type VerifyBundleOptions, type VerifiedBundle, type ArtifactInput } from './bundle.js';
export { checkInTotoSubject } from './artifact/intoto-subject.js';
export { verifyBundleFile, readArtifact, type VerifyBundleFileOptions } from './artifact/bundle-file.js';
