import type { AuditReport } from './result.js';

/**
 * The audit's exit code (DESIGN §4): 0 when every server verified, 1 when any did not —
 * mismatch, wrong-signer and unsigned, and also unreachable and malformed, because a
 * gate that passes while servers went unchecked fails open. A run that could not start
 * (bad flags, registry unreachable) never gets here: it is exit 2.
 */
export function auditExitCode(report: AuditReport): 0 | 1 {
  return report.servers.every((s) => s.status === 'verified') && report.complete ? 0 : 1;
}
