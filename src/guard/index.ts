/** Connect-time enforcement: the guard core, the SDK client guard and the proxy. */
export { GUARD_RPC_CODES, EntryNotVerifiedError, ToolNotVerifiedError, SessionRefusedError, toGuardError, type GuardErrorData } from './errors.js';
export { resolveGuardSettings, type GuardAttestation, type GuardSettings, type ResolvedGuardSettings, type EnforceMode } from './settings.js';
export { liveManifest, type LiveCapture, type RawLists, type EntryFinding } from './live.js';
export { decideLists, type ListsDecision, type GuardVerdict, type GuardDecision } from './decide.js';
export { createFileAuditSink, NULL_AUDIT_SINK, type AuditSink, type AuditRecord } from './audit.js';
export { GuardSession, type GuardOptions, type ClientPeer, type AttestationResolver } from './session.js';
export { GuardedTransport, createGuardedTransport, type GuardedTransportOptions } from './transport.js';
export { ModernGuard, type ModernGuardOptions, type ModernCall } from './modern/index.js';
export { guardClient, type GuardedClient, type GuardableClient } from './client.js';
export { BUNDLE_META_KEY, readBundleSource, bundleFromInitialize, type BundleFetchOptions } from './bundle-source.js';
export { prepareAttestation, type BundleOrigin, type PrepareAttestationOptions } from './attestation.js';
export { upstreamTransport, type UpstreamOptions } from './upstream.js';
export { runStdioProxy, type StdioProxyOptions, type ProxyEnd } from './proxy-stdio.js';
export { startHttpProxy, type HttpProxyOptions, type HttpProxy } from './proxy-http.js';
