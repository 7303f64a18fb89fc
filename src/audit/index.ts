/** `toolseal audit`: registry reading, batch verification, reports. */
export { audit, type AuditOptions } from './audit.js';
export { runAudit, summarize, type RunAuditOptions } from './run.js';
export { auditServer, type AuditContext } from './audit-server.js';
export { AUDIT_STATUSES, AUDIT_RULES, auditRule, type AuditStatus, type AuditRule, type AuditRuleName } from './rules.js';
export {
  AUDIT_REPORT_MEDIA_TYPE, AuditReportSchema, ServerAuditSchema, AuditSummarySchema, type AuditReport, type ServerAudit,
} from './result.js';
export {
  ServerJsonSchema, ToolsealMetaSchema, PUBLISHER_META_KEY, TOOLSEAL_META_KEY, PUBLISHER_META_MAX_BYTES,
  parseServerJson, toolsealMetaOf, bundleFileName, type ServerJson, type ToolsealMeta, type MetaLookup,
} from './server-json.js';
export { listRegistryServers, serversUrl, type RegistryListOptions } from './registry-client.js';
export { readServerJsonPaths, type RawEntry } from './sources.js';
export {
  AuditPolicySchema, NamespacePolicySchema, GITHUB_ACTIONS_ISSUER, buildNamespacePolicies, loadNamespacePolicies,
  githubDefaultPolicy, type AuditPolicy, type AuditPolicyInput, type NamespacePolicies, type ResolvedPolicy,
} from './namespace-policy.js';
export { fetchWithRetry, backoffMs, type RetryOptions, type FetchOutcome } from './fetch-retry.js';
export { AuditCache, defaultAuditCacheDir, type CacheStats, type CachedOutcome } from './cache.js';
export { classifyVerifyError, type AttestationVerifier, type AuditedAttestation, type FailedCheck } from './verifier.js';
export { createAttestationVerifier, type AttestationVerifierOptions } from './attestation-verifier.js';
export { createLiveCheck, liveTarget, type LiveCheck, type LiveCheckOptions } from './live.js';
export { auditExitCode } from './exit-code.js';
export { createProgressReporter, type ProgressReporter, type ProgressStream } from './progress.js';
export { toSarif } from './report/sarif.js';
export { renderAuditTable, renderAuditMarkdown, summaryLine } from './report/text.js';
