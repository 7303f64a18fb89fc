import { untrusted } from '../io/terminal.js';
import type { AuditRecord } from './audit.js';
import { summarizeDecision, type ListsDecision } from './decide.js';
import type { ExposureState, SessionFacts } from './exposure.js';

/** Where a guard of either era reports what it decided over its lists. */
export interface DecisionSink {
  serverName: string;
  record(fields: Omit<AuditRecord, 'time' | 'server' | 'session'>): void;
  log?: ((line: string) => void) | undefined;
  onDecision?: ((decision: ListsDecision) => void) | undefined;
  refuse(reason: string): void;
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
