/**
 * toolseal's public API: what a user of the library needs to capture, sign, verify and guard
 * MCP servers, and to audit a registry. Everything a consumer may import is listed here by
 * name (README "Library API" documents each); nothing else in `src/` is public. toolseal's
 * own faces use `src/internal.ts`, which package.json `exports` does not publish.
 */
export { TOOLSEAL_VERSION } from './version.js';

/** Errors: every one is a `ToolsealError` with a stable `code`; a `VerificationError` is a verdict. */
export {
  ToolsealError, InputError, ManifestError, CaptureError, PolicyError, SigningError, TrustError,
  VerificationError, isVerdictError,
} from './errors.js';
export { EntryNotVerifiedError, ToolNotVerifiedError, SessionRefusedError, GUARD_RPC_CODES } from './guard/errors.js';

/** Manifests: the format, its digest, reading and validating. */
export { ManifestSchema, MANIFEST_MEDIA_TYPE, type Manifest, type Artifact } from './manifest/schema.js';
export { LIST_NAMES, type ListName } from './manifest/lists.js';
export { manifestDigest } from './manifest/digest.js';
export { validateManifest, readManifestFile } from './manifest/build.js';
export type { Sha256Digest } from './manifest/canonical.js';
export { BARE_PROFILE, FULL_PROFILE, resolveClientProfile, type ClientProfile } from './manifest/profile.js';

/** Capture: a live server into a manifest, and the launch rule every face uses. */
export { captureServer } from './manifest/capture/server.js';
export { captureFromClient, type ClientCaptureOptions } from './manifest/capture/from-client.js';
export { captureLike } from './manifest/capture/like.js';
export type { CaptureOptions, ServerTarget } from './manifest/capture/options.js';
export { serverTargetFrom, type ServerSpec } from './manifest/capture/target.js';
export { resolveLaunch, type LaunchOptions, type Launch } from './launch/index.js';
export { MODERN_PROTOCOL_VERSION, type ProtocolEra } from './protocol/index.js';

/** Compare: signed vs live, the findings a difference makes, and a signature-free pin. */
export { compareManifests, type CompareOptions } from './compare/compare.js';
export { diffFindings, type DiffFinding } from './compare/findings.js';
export { checkServer } from './compare/check-server.js';
export { renderDiff } from './compare/render.js';
export type { ManifestDiff, MatchMode, HiddenUnicodeCategory, HiddenUnicodeFinding } from './compare/schema.js';

/** Sign: a manifest as an in-toto statement in a Sigstore bundle, keyless or with a key. */
export { signManifest, type SignResult } from './sign/sign-manifest.js';
export { createSigner, type SignerOptions } from './sign/create-signer.js';
export { createKeylessSigner, type KeylessSignerOptions } from './sign/keyless.js';
export { createKeySigner, generateKeyPair, type KeySignerOptions } from './sign/key.js';
export type { ManifestSigner } from './sign/signer.js';

/** Verify: a policy, the verifier and its verdict, and a bundle's unverified claims. */
export { readPolicyFile, parsePolicy, policyFromFlags, PolicySchema, type Policy, type PolicyInput, type PolicyFlags } from './policy/index.js';
export {
  createManifestVerifier, type ManifestVerifier, type ManifestVerifierOptions, type VerifiedAttestation, type AttestedVerdict,
} from './verify/verify-server.js';
export { VerdictSchema, type Verdict, type Problem } from './verify/verdict.js';
export { renderVerdict } from './verify/render-verdict.js';
export { describeSigner } from './verify/identity/describe.js';
export type { SignerIdentity } from './verify/identity/types.js';
export { trustedRootFileSource, tufSource, type TrustSource } from './verify/trust/index.js';
export { inspectBundle, type BundleClaims } from './verify/inspect.js';
export { SharedVerificationCaches } from './verify/batch/index.js';

/** Guard: enforce a signed manifest at connect time (SDK client, transport, proxy, one-call decision). */
export { guardClient, type GuardedClient } from './guard/client.js';
export { createGuardedTransport } from './guard/transport.js';
export { decideLists, type ListsDecision, type GuardVerdict, type GuardDecision } from './guard/decide.js';
export { liveManifest, type LiveCapture, type EntryFinding } from './guard/live.js';
export type { GuardAttestation, GuardSettings, EnforceMode } from './guard/settings.js';
export type { GuardOptions } from './guard/session.js';
export { runStdioProxy, type StdioProxyOptions } from './guard/proxy-stdio.js';
export { startHttpProxy, type HttpProxyOptions, type HttpProxy } from './guard/proxy-http.js';

/** Audit: verify every server of an MCP registry. */
export { runAudit, type RunAuditOptions } from './audit/run.js';
export { AuditReportSchema, type AuditReport, type ServerAudit } from './audit/result.js';
