/** Sigstore bundle verification, identity policy and trust material. */
export {
  PolicySchema, KeylessIdentitySchema, KeyIdentitySchema, GithubClaimsPolicySchema, TrustPolicySchema,
  readPolicyFile, parsePolicy, identityPolicyOf,
  type Policy, type PolicyInput, type KeylessIdentityPolicy, type GithubClaimsPolicy, type TrustPolicy, type IdentityPolicy,
} from './policy.js';
export { policyFromFlags, type PolicyFlags } from './policy-flags.js';
export * from './identity/index.js';
export * from './trust/index.js';
export { verifyBundle, type VerifyBundleOptions, type VerifiedBundle, type ArtifactInput } from './bundle.js';
export { checkInTotoSubject } from './intoto-subject.js';
export { parsePublicKeyPem, publicKeyFingerprint } from './keys.js';
export { verifyBundleFile, readArtifact, type VerifyBundleFileOptions } from './bundle-file.js';
