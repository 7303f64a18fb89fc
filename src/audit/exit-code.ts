import type { AuditRun } from './result.js';

/**
 * The audit's exit code (DESIGN §4): 0 when every server verified, 1 when any did not —
 * mismatch, wrong-signer and unsigned, and also unreachable and malformed, because a
 * gate that passes while servers went unchecked fails open. A run that could not start
 * (bad flags, registry unreachable) never gets here: it is exit 2.
 */
export function auditExitCode(run: Pick<AuditRun, 'summary' | 'complete'>): 0 | 1 {
  const notVerified = Object.entries(run.summary).some(([status, n]) => status !== 'verified' && n > 0);
  return !notVerified && run.complete ? 0 : 1;
}
