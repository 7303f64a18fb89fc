/** The verification policy: its schema, its files, its flags, and how options merge into one. */
export {
  PolicySchema, KeylessIdentitySchema, KeyIdentitySchema, GithubClaimsPolicySchema, TrustPolicySchema,
  readPolicyFile, parsePolicy, identityPolicyOf,
  type Policy, type PolicyInput, type KeylessIdentityPolicy, type GithubClaimsPolicy, type TrustPolicy, type IdentityPolicy,
} from './policy.js';
export { policyFromFlags, CERT_FLAGS, type PolicyFlags } from './flags.js';
export { resolvePolicy, parseMatchMode, type PolicyOptions } from './options.js';
export { parsePublicKeyPem, publicKeyFingerprint, readPublicKeyPem, looksLikePem } from './keys.js';
