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
 * Codes that mean "validly signed, by someone the policy does not accept". A key signature
 * that does not verify (KEY_SIGNATURE_INVALID) is not here: it may be altered content as much
 * as another key, so it is a signature failure; so is a statement that contradicts itself
 * (STATEMENT_SUBJECT_MISMATCH, SUBJECT_DIGEST_MISMATCH).
 */
const SIGNER_CODES = new Set([
  'ISSUER_MISMATCH', 'SUBJECT_MISMATCH', 'GITHUB_CLAIM_MISMATCH', 'IDENTITY_MISMATCH', 'KEY_MISMATCH',
  'SIGNER_KIND_MISMATCH', 'CERTIFICATE_IDENTITY_MISSING', 'GITHUB_OWNER_MISMATCH',
]);

/** Codes that mean "a valid signature over something that is not a toolseal attestation". */
const NOT_AN_ATTESTATION_CODES = new Set([
  'PAYLOAD_TYPE_MISMATCH', 'STATEMENT_TYPE_MISMATCH', 'PREDICATE_TYPE_MISMATCH', 'PAYLOAD_INVALID', 'STATEMENT_INVALID',
  'BUNDLE_UNSUPPORTED', 'NOT_AN_ATTESTATION',
]);

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
  if (err instanceof VerificationError) {
    if (SIGNER_CODES.has(err.code)) return check('identity-mismatch');
    if (NOT_AN_ATTESTATION_CODES.has(err.code)) return check('bundle-invalid');
    return check('signature-invalid');
  }
  // InputError (BUNDLE_MALFORMED, strict JSON), ManifestError (predicate is no manifest): the file is not one.
  return check('bundle-invalid');
}
