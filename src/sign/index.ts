/** Signing a manifest with Sigstore: keyless (Fulcio + Rekor) or with a key, and the identity token. */
export type { ManifestSigner } from './signer.js';
export { resolveIdentityToken, describeToken, type IdentityToken, type IdentityTokenOptions, type TokenOrigin } from './identity-token.js';
export { createKeylessSigner, PUBLIC_GOOD, type KeylessSignerOptions } from './keyless.js';
export { createKeySigner, createKeySignerFromFile, publicKeyHint, generateKeyPair, writeKeyPair, type KeySignerOptions } from './key.js';
export { createSigner, parseArtifactSpec, type SignerOptions } from './create-signer.js';
export { signManifest, type SignResult } from './sign-manifest.js';
export { DEFAULT_BUNDLE_FILE } from './bundle-file.js';
export { manifestToSign, type ManifestToSignOptions } from './manifest-to-sign.js';
export { signToFiles, signedLines, type SignToFilesOptions, type SignedFiles } from './sign-to-files.js';
export { storeGitHubAttestation, type AttestationStoreOptions, type StoredAttestation } from './attestation-store.js';
export { assertPublicLogAccepted, type KeylessDestination } from './public-log.js';
