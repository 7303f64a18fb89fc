/** `toolseal audit`: registry reading, batch verification, reports. */
export { audit, streamAudit, type AuditOptions } from './audit.js';
export { runAudit, summarize, type RunAuditOptions, type AuditProgress } from './run.js';
export { auditServer, type AuditContext } from './audit-server.js';
export { AUDIT_STATUSES, AUDIT_RULES, auditRule, type AuditStatus, type AuditRule, type AuditRuleName } from './rules.js';
export {
  AUDIT_REPORT_MEDIA_TYPE, AuditReportSchema, ServerAuditSchema, AuditSummarySchema, AuditListingSchema,
  type AuditReport, type ServerAudit, type AuditRun, type AuditListing,
} from './result.js';
export {
  ServerJsonSchema, ToolsealMetaSchema, PUBLISHER_META_KEY, TOOLSEAL_META_KEY, PUBLISHER_META_MAX_BYTES,
  parseServerJson, toolsealMetaOf, bundleFileName, type ServerJson, type ToolsealMeta, type MetaLookup,
} from './server-json.js';
export { readRegistry, listRegistryServers, type RegistryListOptions, type RegistryListing, type RegistryEvent } from './registry-client.js';
export { registryEndpoints, type RegistryApi, type RegistryEndpoint } from './registry-url.js';
export { listEntry, OFFICIAL_META_KEY, type RawEntry, type EntryListing, type SkipCounts } from './registry-entry.js';
export { readServerJsonFiles, readServerJsonPaths, type FileListing } from './sources.js';
export { goJsonByteLength } from './go-json.js';
export { bindingProblem } from './binding.js';
export { loadEntryBundle, entryMismatch, type EntryBundle, type EntryBundleOptions } from './entry-bundle.js';
export {
  AuditPolicySchema, NamespacePolicySchema, GITHUB_ACTIONS_ISSUER, buildNamespacePolicies, loadNamespacePolicies,
  githubDefaultPolicy, type AuditPolicy, type AuditPolicyInput, type NamespacePolicies, type ResolvedPolicy,
} from './namespace-policy.js';
export { AuditCache, defaultAuditCacheDir, type CacheStats, type CachedOutcome } from './cache.js';
export { classifyVerifyError, VERIFY_CODE_RULES, type AttestationVerifier, type AuditedAttestation, type FailedCheck } from './verifier.js';
export { createAttestationVerifier, type AttestationVerifierOptions } from './attestation-verifier.js';
export { createLiveCheck, liveTarget, type LiveCheck, type LiveCheckOptions } from './live.js';
export { auditExitCode } from './exit-code.js';
export { limitHeapGrowthForAudit, AUDIT_HEAP_GROWING_PERCENT } from './heap.js';
export { createProgressReporter, describeRegistryEvent, type ProgressReporter, type ProgressStream } from './progress.js';
export { toSarif, sarifResult, SARIF_REGISTRY_BASE_ID, CODE_SCANNING_RESULT_LIMIT, type SarifOptions } from './report/sarif.js';
export { renderAuditTable, renderAuditMarkdown, summaryLine, listingLine } from './report/text.js';
export { auditWithReports, type AuditOutputs, type AuditWithReports } from './report/outputs.js';
