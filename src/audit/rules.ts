/**
 * Audit statuses and the stable rule ids behind them. Every server gets exactly one
 * status; the reason kind says why, and its rule id is what the JSON report and SARIF
 * share, so a dashboard can track one kind of problem across runs and formats.
 */

/** The one status each audited server gets. */
export const AUDIT_STATUSES = ['verified', 'mismatch', 'wrong-signer', 'unsigned', 'unreachable', 'malformed'] as const;
/** One of {@link AUDIT_STATUSES}. */
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

/** A kind of reason, with its stable id, its status and a one-line description. */
export interface AuditRule {
  /** Stable id, e.g. `TSA201`; never reused for another meaning. */
  id: string;
  /** Stable kebab-case name of the reason kind. */
  name: string;
  status: AuditStatus;
  /** One sentence for people (SARIF `shortDescription`). */
  description: string;
}

const RULE_LIST = [
  { id: 'TSA000', name: 'verified', status: 'verified', description: 'The attestation verified: signature, transparency log, signer identity and manifest digest all check out.' },
  { id: 'TSA101', name: 'signature-invalid', status: 'mismatch', description: 'The bundle does not verify: the signed content was changed, or the signature, certificate chain or log entry is wrong.' },
  { id: 'TSA102', name: 'digest-pin-mismatch', status: 'mismatch', description: 'The manifest digest the server.json names differs from the digest that was signed.' },
  { id: 'TSA103', name: 'live-mismatch', status: 'mismatch', description: 'The live server lists tools (or prompts, resources) that differ from the signed manifest.' },
  { id: 'TSA104', name: 'entry-binding-mismatch', status: 'mismatch', description: 'The bundle verifies, but its manifest is for another server: neither its server name nor its artifacts match this registry entry.' },
  { id: 'TSA105', name: 'statement-subject-mismatch', status: 'mismatch', description: 'The signed statement\'s subject names another server (or other artifacts) than the manifest it carries.' },
  { id: 'TSA201', name: 'identity-mismatch', status: 'wrong-signer', description: 'The bundle is validly signed, but by an identity the policy does not accept for this namespace.' },
  { id: 'TSA202', name: 'no-namespace-policy', status: 'wrong-signer', description: 'No audit policy names who may sign for this namespace, so no signer can be accepted.' },
  { id: 'TSA301', name: 'no-attestation', status: 'unsigned', description: 'The server publishes no toolseal attestation (no dev.toolseal pointer and no bundle beside the list).' },
  { id: 'TSA401', name: 'bundle-http-error', status: 'unreachable', description: 'The bundle URL answered with an HTTP client error (4xx); it was not retried.' },
  { id: 'TSA402', name: 'bundle-network-error', status: 'unreachable', description: 'The bundle could not be fetched: network error, timeout, or 5xx/429 after every retry.' },
  { id: 'TSA403', name: 'live-capture-failed', status: 'unreachable', description: 'The server could not be started or captured live (--live).' },
  { id: 'TSA501', name: 'server-json-invalid', status: 'malformed', description: 'The server.json entry is not valid JSON or lacks the fields the audit needs.' },
  { id: 'TSA502', name: 'meta-too-large', status: 'malformed', description: 'The publisher-provided _meta is over the registry\'s 4 KB (4096 bytes) limit, measured as the registry\'s Go json.Marshal writes it.' },
  { id: 'TSA503', name: 'toolseal-meta-invalid', status: 'malformed', description: 'The dev.toolseal pointer in _meta is not of the documented shape.' },
  { id: 'TSA504', name: 'bundle-invalid', status: 'malformed', description: 'The bundle file is not a Sigstore bundle carrying a toolseal manifest attestation.' },
  { id: 'TSA505', name: 'bundle-too-large', status: 'malformed', description: 'The bundle URL answered with a body over the size cap (8 MiB by default); it was not read.' },
] as const satisfies readonly AuditRule[];

/** The name of a reason kind. */
export type AuditRuleName = (typeof RULE_LIST)[number]['name'];

/** Every rule, in id order. */
export const AUDIT_RULES: readonly AuditRule[] = RULE_LIST;

/** The rule for a reason kind. */
export function auditRule(name: AuditRuleName): AuditRule {
  return AUDIT_RULES.find((r) => r.name === name)!;
}
