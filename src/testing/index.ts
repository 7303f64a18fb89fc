/**
 * `toolseal/testing`: a complete Sigstore on loopback for tests that must not touch the
 * internet — yours and toolseal's. Sign with sigstore-js's real pipeline against
 * {@link startLocalSigstore}'s services, verify against its `trustedRoot`.
 *
 * Needs the optional peer dependencies `@sigstore/mock`, `@peculiar/x509` and `reflect-metadata`.
 */
export { startLocalSigstore, type LocalSigstore, type LocalSigstoreOptions } from './local-sigstore.js';
export { startGitHubActionsTokenEndpoint, type GitHubActionsTokenEndpoint } from './github-token-endpoint.js';
export { startGitHubAttestationsApi, type GitHubAttestationsApi, type StoredBundle } from './github-attestations-api.js';
export { generateSigningKey, type SigningKeyPair } from './signing-key.js';
export {
  GITHUB_ACTIONS_ISSUER,
  defaultGitHubClaims,
  type GitHubActionsClaims,
  type IdentityClaims,
} from './oidc-issuer.js';
export {
  TRUSTED_ROOT_MEDIA_TYPE,
  type TrustedRootJson,
  type CertificateAuthorityJson,
  type TransparencyLogInstanceJson,
} from './trusted-root.js';
