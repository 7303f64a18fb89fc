import type { AuditRun, ServerAudit } from '../result.js';

/**
 * A report written as the audit goes: `add` takes each result (in list order) and may
 * spool it to disk; `finish` writes the whole report to its destination once the run's
 * counts are known. A run that fails calls neither `finish` nor anything else: its spools
 * are removed with their folder and no half report is left.
 */
export interface AuditReportWriter {
  add(server: ServerAudit): Promise<void>;
  finish(run: AuditRun): Promise<void>;
}
