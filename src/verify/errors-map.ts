import { VerificationError as SigstoreVerificationError, PolicyError as SigstorePolicyError } from '@sigstore/verify';
import type { CodeOf } from '../error-codes.js';
import { ToolsealError, VerificationError } from '../errors.js';

const CODE_MAP: Record<string, [CodeOf<'VerificationError'>, string]> = {
  TLOG_ERROR: ['TLOG_INVALID', 'The transparency-log entry is not valid'],
  TLOG_INCLUSION_PROOF_ERROR: ['TLOG_INVALID', 'The transparency-log inclusion proof or checkpoint does not verify against the trusted root'],
  TLOG_INCLUSION_PROMISE_ERROR: ['TLOG_INVALID', 'The transparency log\'s signed entry timestamp does not verify against the trusted root'],
  TLOG_MISSING_INCLUSION_ERROR: ['TLOG_INVALID', 'The transparency-log entry has no inclusion proof'],
  TLOG_BODY_ERROR: ['TLOG_INVALID', 'The transparency-log entry does not describe this signature, key or artifact'],
  CERTIFICATE_ERROR: ['CERTIFICATE_CHAIN_INVALID', 'The signing certificate does not chain to a trusted certificate authority at the signing time, or lacks valid certificate-transparency proof'],
  PUBLIC_KEY_ERROR: ['KEY_MISMATCH', 'The bundle was not signed with a key the policy accepts'],
  SIGNATURE_ERROR: ['SIGNATURE_INVALID', 'The signature does not verify over the signed content'],
  TIMESTAMP_ERROR: ['TIMESTAMP_INVALID', 'The bundle has no trustworthy timestamp (transparency log or timestamp authority)'],
  NOT_IMPLEMENTED_ERROR: ['BUNDLE_UNSUPPORTED', 'The bundle uses a feature toolseal cannot verify'],
  UNTRUSTED_SIGNER_ERROR: ['IDENTITY_MISMATCH', 'The signer is not the one the policy expects'],
};

/**
 * Maps an error thrown by sigstore-js verification onto a toolseal {@link VerificationError}
 * with a stable code and a readable message (sigstore's own message kept as the detail).
 * Anything unexpected is still a failed verification: fail closed.
 */
export function toVerificationError(err: unknown, trustDescription: string): ToolsealError {
  if (err instanceof ToolsealError) return err;
  if (err instanceof SigstoreVerificationError || err instanceof SigstorePolicyError) {
    const [code, sentence] = CODE_MAP[err.code] ?? ['VERIFICATION_FAILED', 'The bundle does not verify'];
    return new VerificationError(code, `${sentence} (trust: ${trustDescription}; detail: ${detailOf(err)}).`, { cause: err });
  }
  return new VerificationError('VERIFICATION_FAILED', `The bundle does not verify: ${(err as Error)?.message ?? String(err)} (trust: ${trustDescription}).`, { cause: err });
}

function detailOf(err: Error & { cause?: unknown }): string {
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
