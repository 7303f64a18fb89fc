import { ToolsealError, TrustError, VerificationError } from '../errors.js';
import type { Sha256Digest } from '../manifest/canonical.js';
import type { Manifest } from '../manifest/schema.js';
import type { SignerIdentity } from '../verify/identity/types.js';
import type { Policy } from '../policy/policy.js';
import type { AuditRuleName } from './rules.js';

/** What the audit needs from a verified attestation (a subset of the library's `VerifiedAttestation`). */
export interface AuditedAttestation {
  /** The signed manifest, read from the signed payload bytes. */
  manifest: Manifest;
  /** Its digest, equal to the statement's subject. */
  digest: Sha256Digest;
  signer: SignerIdentity;
}

/**
 * The seam between the audit and bundle verification: verify one bundle (parsed JSON)
 * under one policy. Resolves when every check passed; rejects with a
 * `VerificationError` (a verdict) or another `ToolsealError` (could not check).
 */
export interface AttestationVerifier {
  verify(bundle: unknown, policy: Policy): Promise<AuditedAttestation>;
}

/**
 * The one place that maps the library's verification error codes to audit rules. A code not
 * listed is a verification failure (`signature-invalid`): failing closed, a new code is
 * never read as a pass. Keep this in step with the codes `verifyAttestation` throws.
 */
export const VERIFY_CODE_RULES: Readonly<Record<string, AuditRuleName>> = {
  // Validly signed, by someone the policy does not accept.
  ISSUER_MISMATCH: 'identity-mismatch',
  SUBJECT_MISMATCH: 'identity-mismatch',
  GITHUB_CLAIM_MISMATCH: 'identity-mismatch',
  IDENTITY_MISMATCH: 'identity-mismatch',
  KEY_MISMATCH: 'identity-mismatch',
  SIGNER_KIND_MISMATCH: 'identity-mismatch',
  CERTIFICATE_IDENTITY_MISSING: 'identity-mismatch',
  GITHUB_OWNER_MISMATCH: 'identity-mismatch',
  // The signature does not cover what the bundle carries. A key signature that fails may be
  // altered content as much as another key, so it is a signature failure, never "wrong signer".
  SIGNATURE_INVALID: 'signature-invalid',
  KEY_SIGNATURE_INVALID: 'signature-invalid',
  SUBJECT_DIGEST_MISMATCH: 'signature-invalid',
  // A valid signature over a statement whose subject is not its manifest's server.
  STATEMENT_SUBJECT_MISMATCH: 'statement-subject-mismatch',
  // A valid signature over something that is not a toolseal attestation.
  PAYLOAD_TYPE_MISMATCH: 'bundle-invalid',
  STATEMENT_TYPE_MISMATCH: 'bundle-invalid',
  PREDICATE_TYPE_MISMATCH: 'bundle-invalid',
  PAYLOAD_INVALID: 'bundle-invalid',
  STATEMENT_INVALID: 'bundle-invalid',
  BUNDLE_UNSUPPORTED: 'bundle-invalid',
  NOT_AN_ATTESTATION: 'bundle-invalid',
};

/** A failed verification as the audit reports it. */
export interface FailedCheck {
  rule: AuditRuleName;
  code: string;
  message: string;
}

/**
 * Sorts an error from {@link AttestationVerifier.verify} into a reason kind. Trust
 * material that cannot be loaded is not about one server: it is rethrown so the whole
 * audit stops (exit 2) rather than marking every server as failed.
 */
export function classifyVerifyError(err: unknown): FailedCheck {
  if (err instanceof TrustError) throw err;
  if (!(err instanceof ToolsealError)) throw err;
  const check = (rule: AuditRuleName): FailedCheck => ({ rule, code: err.code, message: err.message });
  if (err instanceof VerificationError) return check(Object.hasOwn(VERIFY_CODE_RULES, err.code) ? VERIFY_CODE_RULES[err.code]! : 'signature-invalid');
  // InputError (BUNDLE_MALFORMED, strict JSON), ManifestError (predicate is no manifest): the file is not one.
  return check('bundle-invalid');
}
