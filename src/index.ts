/**
 * toolseal's public API. Everything a consumer may import is listed here by name;
 * nothing else in `src/` is public.
 */
export { TOOLSEAL_VERSION } from './version.js';

export {
  ToolsealError, InputError, ManifestError, CaptureError, PolicyError, SigningError, TrustError,
  VerificationError, isVerdictError,
} from './errors.js';

export { parseStrictJson } from './io/strict-json.js';
export { readJsonFile, readTextFile, writeFileAtomic, assertWritableDestination, prepareDestination } from './io/files.js';

export {
  MANIFEST_MEDIA_TYPE, CANONICALIZATION, DYNAMIC_LISTS, DynamicListSchema, type DynamicList, ManifestSchema, ToolSchema, PromptSchema,
  ResourceSchema, ResourceTemplateSchema, CaptureInfoSchema, ArtifactSchema,
  type Manifest, type ToolEntry, type CaptureInfo, type Artifact,
} from './manifest/schema.js';
export { LISTS, LIST_NAMES, LIST_KEYS, entryCounts, type ListName, type ListSpec, type ListMethod } from './manifest/lists.js';
export { canonicalBytes, jsonDigest, sha256Hex, digestHex, type Sha256Digest } from './manifest/canonical.js';
export { manifestDigest, entryDigest, entryDigests, type EntryDigest } from './manifest/digest.js';
export { buildManifest, validateManifest, readManifestFile, withoutDynamicEntries, type ManifestParts } from './manifest/build.js';
export { applyExclude } from './manifest/exclude.js';
export { locateManifestLines, type ManifestLines } from './manifest/locate.js';

export {
  buildStatement, statementPayload, IN_TOTO_STATEMENT_TYPE, IN_TOTO_PAYLOAD_TYPE, MANIFEST_PREDICATE_TYPE,
  StatementSchema, type ManifestStatement,
} from './attest/statement.js';
export { parseAttestation, type AttestedManifest } from './attest/parse.js';

export type { ManifestSigner } from './sign/signer.js';
export { resolveIdentityToken, describeToken, type IdentityToken, type IdentityTokenOptions, type TokenOrigin } from './sign/identity-token.js';
export { createKeylessSigner, PUBLIC_GOOD, type KeylessSignerOptions } from './sign/keyless.js';
export { createKeySigner, createKeySignerFromFile, publicKeyHint, generateKeyPair, writeKeyPair, type KeySignerOptions } from './sign/key.js';
export { signManifest, DEFAULT_BUNDLE_FILE, type SignResult } from './sign/sign-manifest.js';
export { storeGitHubAttestation, type AttestationStoreOptions, type StoredAttestation } from './sign/attestation-store.js';
export { assertPublicLogAccepted, type KeylessDestination } from './sign/public-log.js';

export {
  compareManifests, diffFindings, checkServer, diffAnnotations, scanHiddenUnicode, hasHiddenUnicode, hiddenCategory, renderDiff,
  ManifestDiffSchema, ChangeSchema, ChangeKindSchema, EntryRefSchema, RenamedEntrySchema, ChangedEntrySchema,
  HiddenUnicodeFindingSchema, HiddenUnicodeCategorySchema,
  type CompareOptions, type DiffAnnotation, type AnnotationSide, type HiddenUnicodeScanOptions, type RenderOptions, type ManifestDiff, type MatchMode,
  type Change, type ChangeKind, type EntryRef, type RenamedEntry, type ChangedEntry,
  type HiddenUnicodeFinding, type HiddenUnicodeCategory,
  type DiffFinding, type DiffFindingsOptions, type FindingScope,
} from './compare/index.js';

export {
  captureServer, captureLike, captureFromClient, listAll, watchTransport, answerProfileRequests, describeTarget, captureLimits,
  CAPTURE_DEFAULTS,
  type ServerTarget, type CaptureOptions, type CaptureLimits, type ClientCaptureOptions,
  type ListBudget, type CaptureContext, type TransportWatch,
  StrictStdioClientTransport, type StrictStdioOptions, type ExitGrace,
} from './manifest/capture/index.js';
export {
  PROTOCOL_ERA_CHOICES, MODERN_PROTOCOL_VERSION, parseProtocolEra,
  type ProtocolEra, type ProtocolEraChoice,
} from './protocol/index.js';
export {
  BARE_PROFILE, FULL_PROFILE, ClientProfileSchema, resolveClientProfile, parseClientProfile, profileFromManifest,
  type ClientProfile,
} from './manifest/profile.js';

export {
  PolicySchema, KeylessIdentitySchema, KeyIdentitySchema, GithubClaimsPolicySchema, TrustPolicySchema,
  readPolicyFile, parsePolicy, identityPolicyOf, policyFromFlags, parsePublicKeyPem, publicKeyFingerprint,
  resolvePolicy, parseMatchMode,
  type Policy, type PolicyInput, type KeylessIdentityPolicy, type GithubClaimsPolicy, type TrustPolicy,
  type IdentityPolicy, type PolicyFlags, type PolicyOptions,
} from './policy/index.js';

export {
  signerFromCertificate, matchKeylessIdentity, matchAnyKeylessIdentity, anchoredPattern, refGlob,
  FULCIO_CLAIM_OIDS, OID_ISSUER_V1, OID_ISSUER_V2,
  TRUSTED_ROOT_MEDIA_TYPES, TrustedRootJsonSchema, validateTrustedRootJson, trustMaterialFromJson, trustMaterialFromText, emptyTrustMaterial,
  trustedRootFileSource, tufSource, publicGoodSource, embeddedPublicGoodSource, trustSourceFromPolicy, trustSourceForPolicy, defaultTufCacheDir,
  verifyBundle, assertSigstoreBundle, verifyBundleFile, readArtifact, checkInTotoSubject,
  type SignerIdentity, type KeylessSignerIdentity, type KeySignerIdentity,
  type FulcioClaimName, type FulcioClaims, type TrustSource, type TufOptions,
  type VerifyBundleOptions, type VerifiedBundle, type ArtifactInput, type VerifyBundleFileOptions,
} from './verify/index.js';

export {
  audit, streamAudit, auditWithReports, runAudit, summarize, auditServer, AUDIT_STATUSES, AUDIT_RULES, auditRule,
  AUDIT_REPORT_MEDIA_TYPE, AuditReportSchema, ServerAuditSchema, AuditSummarySchema,
  ServerJsonSchema, ToolsealMetaSchema, PUBLISHER_META_KEY, TOOLSEAL_META_KEY, PUBLISHER_META_MAX_BYTES,
  parseServerJson, toolsealMetaOf, bundleFileName, readRegistry, listRegistryServers, registryEndpoints, readServerJsonFiles, readServerJsonPaths,
  listEntry, goJsonByteLength, bindingProblem, VERIFY_CODE_RULES, SARIF_REGISTRY_BASE_ID, CODE_SCANNING_RESULT_LIMIT, listingLine,
  AuditPolicySchema, NamespacePolicySchema, buildNamespacePolicies, loadNamespacePolicies, githubDefaultPolicy,
  fetchWithRetry, backoffMs, AuditCache, defaultAuditCacheDir, classifyVerifyError, createAttestationVerifier,
  createLiveCheck, liveTarget, auditExitCode, createProgressReporter, toSarif, renderAuditTable, renderAuditMarkdown, summaryLine,
  type AuditOptions, type RunAuditOptions, type AuditContext, type AuditStatus, type AuditRule, type AuditRuleName,
  type AuditReport, type ServerAudit, type ServerJson, type ToolsealMeta, type MetaLookup, type RegistryListOptions,
  type RawEntry, type AuditPolicy, type AuditPolicyInput, type NamespacePolicies, type ResolvedPolicy,
  type RetryOptions, type FetchOutcome, type CacheStats, type CachedOutcome, type AttestationVerifier,
  type AuditedAttestation, type FailedCheck, type AttestationVerifierOptions, type LiveCheck, type LiveCheckOptions,
  type ProgressReporter, type ProgressStream, type AuditRun, type AuditListing, type AuditProgress, type RegistryEvent,
  type RegistryListing, type AuditOutputs, type AuditWithReports, type SarifOptions,
} from './audit/index.js';

export {
  GUARD_RPC_CODES, EntryNotVerifiedError, ToolNotVerifiedError, SessionRefusedError, toGuardError,
  resolveGuardSettings, liveManifest, decideLists, createFileAuditSink, NULL_AUDIT_SINK,
  GuardSession, GuardedTransport, createGuardedTransport, guardClient,
  BUNDLE_META_KEY, readBundleSource, bundleFromInitialize, prepareAttestation, upstreamTransport, runStdioProxy, startHttpProxy,
  type BundleFetchOptions, type BundleOrigin, type PrepareAttestationOptions, type UpstreamOptions,
  type StdioProxyOptions, type ProxyEnd, type HttpProxyOptions, type HttpProxy,
  type GuardErrorData, type GuardAttestation, type GuardSettings, type ResolvedGuardSettings, type EnforceMode,
  type LiveCapture, type RawLists, type EntryFinding, type ListsDecision, type GuardVerdict, type GuardDecision,
  type AuditSink, type AuditRecord, type GuardOptions, type ClientPeer, type AttestationResolver, type GuardedClient,
  type GuardableClient, type GuardedTransportOptions,
} from './guard/index.js';

export { createSigner, parseArtifactSpec, type SignerOptions } from './sign/create-signer.js';
export {
  createManifestVerifier, type ManifestVerifier, type ManifestVerifierOptions, type VerifiedAttestation,
} from './verify/verify-server.js';
export { checkManifestPolicy } from './verify/manifest-policy.js';
export { VerificationCache } from './verify/cache.js';
export { VerdictSchema, ProblemSchema, SignerSchema, VERDICT_MEDIA_TYPE, type Verdict, type Problem } from './verify/verdict.js';
export { renderVerdict } from './verify/render-verdict.js';
export { describeSigner, type ClaimedSigner } from './verify/identity/describe.js';
export { inspectBundle, type BundleClaims } from './verify/inspect.js';
export { serverTargetFrom, parseHeaderLines, type ServerSpec } from './manifest/capture/target.js';
export {
  resolveLaunch, parseEnvAssignments, readEnvFile, isLaunchSecret, LAUNCH_SECRET_NAMES, type LaunchOptions, type Launch,
} from './launch/index.js';
export { manifestToSign, type ManifestToSignOptions } from './sign/manifest-to-sign.js';
export { renderDiffMarkdown, escapeHtml, htmlCode, type MarkdownRenderOptions } from './compare/render-markdown.js';

export {
  CLIENT_IDS, wellKnownConfigs, configFileFrom, readConfigFile, findConfiguredServers, launchTarget, launchRecord,
  LOCK_MEDIA_TYPE, DEFAULT_LOCK_FILE, LockFileSchema, LockEntrySchema, readLockFile, writeLockFile, lockPolicy,
  scanServers, approveServers, wrapConfig, unwrapConfig, backupPath, admitFromLock, serveQuarantine,
  renderScanReport, renderReview, scanToSarif, scanReportJson, crossServerFindings,
  type ClientId, type ConfigFile, type ConfiguredServer, type LockFile, type LockEntry, type LaunchRecord,
  type ScanOptions, type ScanReport, type ServerScan, type ScanStatus, type CrossFinding, type ApproveOptions, type ApproveResult,
  type WrapOptions, type WrapResult, type AdmitFromLockOptions, type Admission, type FindServersOptions, type FoundServers,
} from './admission/index.js';
