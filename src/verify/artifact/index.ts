/** Verifying a bundle over an arbitrary artifact (`toolseal verify-bundle`, the Sigstore conformance client). */
export { checkInTotoSubject } from './intoto-subject.js';
export { verifyBundleFile, readArtifact, type VerifyBundleFileOptions } from './bundle-file.js';
