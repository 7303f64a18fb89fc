import { untrusted } from '../io/terminal.js';
import type { AuditRecord } from './audit.js';
import { summarizeDecision, type ListsDecision } from './decide.js';
import type { ExposureState, SessionFacts } from './exposure.js';
import type { GuardOptions } from './session-options.js';
import type { Denial } from './view.js';

/** The fields of an audit record a guard fills in; the sink adds time, server and session. */
export type GuardRecord = Omit<AuditRecord, 'time' | 'server' | 'session'>;

/** Where a guard of either era reports what it decided over its lists. */
export interface DecisionSink {
  serverName: string;
  record(fields: GuardRecord): void;
  log?: ((line: string) => void) | undefined;
  onDecision?: ((decision: ListsDecision) => void) | undefined;
  refuse(reason: string): void;
}

/** The decision sink of a guard of either era: its own record and refuse, the log and `onDecision` from its options. */
export function decisionSink(serverName: string, options: GuardOptions, record: (fields: GuardRecord) => void, refuse: (reason: string) => void): DecisionSink {
  return { serverName, record, log: options.log, onDecision: options.onDecision, refuse };
}

/**
 * Decides the lists read so far and reports the decision the same way in both protocol eras:
 * the entries whose exposure changed and the verdict go to the audit log, anything but an accept
 * to the log (the server's name escaped), the decision to `onDecision`, a refusal to `refuse`.
 * A decision that cannot be made refuses too: it must not leave the last view in place (fail closed).
 */
export function decideAndReport(exposure: ExposureState, facts: SessionFacts, sink: DecisionSink): void {
  let verified: ReturnType<ExposureState['decide']>;
  try {
    verified = exposure.decide(facts);
  } catch (err) {
    return sink.refuse(`the lists could not be verified: ${(err as Error).message}`);
  }
  const { decision, changes } = verified;
  for (const change of changes) sink.record(change);
  const v = decision.verdict;
  const summary = summarizeDecision(decision);
  sink.record({ event: 'verify', decision: v.decision, digest: v.digest, reason: summary });
  if (v.decision !== 'accept') sink.log?.(`toolseal: ${untrusted(sink.serverName)}: ${v.decision}: ${summary}`);
  sink.onDecision?.(decision);
  if (v.decision === 'refuse') sink.refuse(v.refusal!.reason);
}

/**
 * Records a call to an entry the view does not expose, the same way in both eras. Returns
 * true when the call is refused; under `enforce: warn` it is recorded as allowed and goes on.
 */
export function reportDenial(denial: Denial, warn: boolean, record: (fields: GuardRecord) => void): boolean {
  const entry = `${denial.list}/${denial.key}`;
  if (warn) {
    record({ event: 'call', decision: 'allow', entry, code: denial.code, reason: `enforce: warn, although ${denial.reason}` });
    return false;
  }
  record({ event: 'call', decision: 'refuse', entry, code: denial.code, reason: denial.reason });
  return true;
}
