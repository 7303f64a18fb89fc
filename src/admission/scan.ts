import { compareManifests } from '../compare/compare.js';
import { scanHiddenUnicode } from '../compare/hidden-unicode.js';
import type { HiddenUnicodeFinding, ManifestDiff } from '../compare/schema.js';
import { InputError, ToolsealError } from '../errors.js';
import { jsonEqual } from '../compare/diff-values.js';
import { captureLike } from '../manifest/capture/like.js';
import { captureServer } from '../manifest/capture/server.js';
import type { CaptureOptions } from '../manifest/capture/options.js';
import { FULL_PROFILE } from '../manifest/profile.js';
import type { Manifest } from '../manifest/schema.js';
import type { Policy, TrustPolicy } from '../policy/index.js';
import { claimedManifest } from '../verify/inspect.js';
import type { TrustSource } from '../verify/trust/source.js';
import { trustSourceFromPolicy } from '../verify/trust/sources.js';
import { createManifestVerifier, type ManifestVerifier, type VerifiedAttestation } from '../verify/verify-server.js';
import { crossServerFindings, type CrossFinding } from './cross.js';
import { launchRecord, launchTarget, type ClientLaunchOptions, type LaunchRecord } from './launch.js';
import { lockPolicy, type LockEntry, type LockFile } from './lock.js';
import type { ClientId, ConfiguredServer } from './model.js';
import { mapBounded } from './pool.js';
import {
  checkPublisherSignature, compareRegistryPublisher, offeredBundle, prepareRegistryPublisher, type PublisherCheckOptions, type PublisherSignature, type RegistryPublisher,
} from './publisher.js';
import { findRegistryEntries, type RegistryMatch } from './registry.js';
import type { RetryOptions } from '../io/http.js';

/** What scan found for one configured server. */
export type ScanStatus = 'approved' | 'changed' | 'not-approved' | 'publisher-signed' | 'approval-invalid' | 'capture-failed' | 'disabled';

/** The scan of one configured server. Never holds an environment or header value. */
export interface ServerScan {
  name: string;
  client: ClientId;
  file: string;
  at: string[];
  status: ScanStatus;
  /** The configuration runs it behind `toolseal proxy --lock` (this lock file). */
  wrapped?: { lockPath: string };
  launch: LaunchRecord;
  /** The live manifest, when it could be captured. */
  manifest?: Manifest;
  /** Against the approved manifest (status `changed`). */
  diff?: ManifestDiff;
  /** The configuration launches the server differently from the approval (status `changed`). */
  launchChanged?: { approved: LaunchRecord };
  hiddenUnicode: HiddenUnicodeFinding[];
  /** The approval, when the lock has one that verified. */
  approval?: { by: string; at: string; digest: string };
  /** A publisher's bundle, the server's own or its registry entry's, checked (status `publisher-signed` when it verifies and matches). */
  publisher?: PublisherSignature;
  /** Why it could not be captured, or why the approval did not verify. */
  error?: { code: string; message: string };
}

/** A scan of every configured server. */
export interface ScanReport {
  servers: ServerScan[];
  findings: CrossFinding[];
  /**
   * 0: every server that runs is approved and unchanged, with no cross-server finding; 1: some
   * server is not approved, changed, or a finding; 2: some server could not be launched or captured
   * (the scan is incomplete, so it cannot vouch for the configuration).
   */
  exitCode: 0 | 1 | 2;
}

/** Options of {@link scanServers}. */
export interface ScanOptions {
  lock?: LockFile;
  /** The lock's path, for relative trust paths and messages. */
  lockPath?: string;
  /** Who may have approved, instead of the lock's own `approvers`. */
  approverPolicy?: Policy;
  /** How many servers are captured at once. Default 4. */
  concurrency?: number;
  capture?: Omit<CaptureOptions, 'profile' | 'exclude'>;
  launch?: ClientLaunchOptions;
  trustSource?: TrustSource;
  /** Trust material for publishers' bundles (default Sigstore public-good). */
  publisherTrust?: TrustPolicy;
  /**
   * An MCP registry to look each server up in (by the package its `npx`/`uvx` command runs, or by
   * its remote URL): a bundle the entry points to is checked like one the server offers.
   */
  registry?: { url: string; fetch?: RetryOptions };
}

/**
 * Launches every configured server as its client would (in parallel, `concurrency` at a time),
 * captures what it declares, and compares it with the lock: approved and unchanged, changed
 * since approval (with the diff, or a different launch), not approved (or not approved but
 * carrying a publisher's signature that verifies, see `checkPublisherSignature`), an approval whose
 * signature does not verify, or could not be captured (why). Then looks across the servers one
 * client runs for tool-name collisions and descriptions that name another server's tools.
 */
export async function scanServers(servers: ConfiguredServer[], options: ScanOptions = {}): Promise<ScanReport> {
  const verifier = options.lock ? await lockVerifier(options) : undefined;
  const listed = options.registry ? await findRegistryEntries(servers, options.registry.url, options.registry.fetch) : new Map<ConfiguredServer, RegistryMatch>();
  // Every publisher bundle is checked against the same trust: loaded once for the scan (when
  // some server offers one), not once per server. The lock's verifier has its own already.
  const perServer = { ...options, trustSource: options.trustSource ?? trustSourceFromPolicy(options.publisherTrust ?? { source: 'public-good' }) };
  const scans = await mapBounded(servers, options.concurrency ?? 4, (server) => scanOne(server, verifier, listed.get(server), perServer));
  const findings = crossServerFindings(scans.flatMap((s) => (s.manifest ? [{ name: s.name, client: s.client, manifest: s.manifest }] : [])));
  const clean = scans.every((s) => s.status === 'approved' || s.status === 'disabled') && findings.length === 0;
  const incomplete = scans.some((s) => s.status === 'capture-failed');
  return { servers: scans, findings, exitCode: incomplete ? 2 : clean ? 0 : 1 };
}

/** One verifier for the whole lock: its approvers and trust, without the per-server pins (checked per entry). */
async function lockVerifier(options: ScanOptions): Promise<ManifestVerifier | undefined> {
  const lock = options.lock!;
  const names = Object.keys(lock.servers);
  if (names.length === 0) return undefined;
  const { policy } = await lockPolicy(lock, options.lockPath ?? 'the lock', names[0]!, options.approverPolicy);
  const { manifestDigest: _d, serverName: _n, ...unpinned } = policy;
  return createManifestVerifier({ policy: unpinned, ...(options.trustSource ? { trustSource: options.trustSource } : {}) });
}

async function scanOne(server: ConfiguredServer, verifier: ManifestVerifier | undefined, listed: RegistryMatch | undefined, options: ScanOptions): Promise<ServerScan> {
  const base = { name: server.name, client: server.client, file: server.file, at: server.at, ...(server.wrapped ? { wrapped: server.wrapped } : {}), launch: launchRecord(server), hiddenUnicode: [] };
  if (server.disabled) return { ...base, status: 'disabled' };
  const entry = options.lock && Object.hasOwn(options.lock.servers, server.name) ? options.lock.servers[server.name] : undefined;
  let approved: VerifiedAttestation | undefined;
  let approvalError: ServerScan['error'];
  if (entry && verifier) {
    try {
      approved = verifyEntry(verifier, entry, server.name);
    } catch (err) {
      approvalError = errorOf(err);
    }
  }
  // A registry's bundle is verified first, so the server is captured like the manifest it signs.
  const registry = listed && !entry ? await prepareRegistryPublisher(listed, publisherOptions(options)) : undefined;
  const reference = approved?.manifest ?? (registry?.kind === 'verified' ? registry.attestation.manifest : undefined);
  let manifest: Manifest;
  let offered: Record<string, unknown> | undefined;
  try {
    const target = await launchTarget(server, options.launch);
    const keep = (result: Record<string, unknown>): void => { offered = result; };
    const capture = { ...options.capture, onInitialize: keep, onDiscover: keep };
    // Unapproved servers are captured with the full profile, as `toolseal sign` does, so an
    // approval covers every client: one that declares fewer capabilities is shown fewer entries,
    // which the guard accepts (DESIGN §6); one that declares roots is not refused for its extras.
    manifest = reference ? await captureLike(reference, target, capture) : await captureServer(target, { ...capture, profile: FULL_PROFILE });
    // A server that offers its publisher's bundle is captured again the way that bundle was, when
    // it was captured otherwise, so the signature can be checked against a comparable capture
    // (the claim is read unverified only to choose how to capture; a lying bundle can only make
    // the capture differ from what it signs, and checkPublisherSignature then says so).
    const signed = reference ? undefined : claimedManifest(offeredBundle(offered), 'the bundle the server offers');
    if (signed && !jsonEqual(capturedAs(signed), capturedAs(manifest))) manifest = await captureLike(signed, target, capture);
  } catch (err) {
    return { ...base, status: 'capture-failed', error: errorOf(err) };
  }
  const hiddenUnicode = scanHiddenUnicode(manifest);
  // An approval that does not verify counts as none, but says why (it can be approved again).
  if (approvalError) return { ...base, status: 'approval-invalid', manifest, hiddenUnicode, error: approvalError };
  if (!approved || !entry) {
    const publisher = await publisherOf(registry, offeredBundle(offered), manifest, options);
    return { ...base, status: publisher?.verified ? 'publisher-signed' : 'not-approved', manifest, hiddenUnicode, ...(publisher ? { publisher } : {}) };
  }
  const diff = compareManifests(approved.manifest, manifest, { match: 'exact' });
  const approval = { by: entry.approvedBy, at: entry.approvedAt, digest: entry.manifestDigest };
  const launchChanged = jsonEqual(entry.launch, base.launch) ? undefined : { approved: entry.launch };
  const status = diff.ok && !launchChanged ? 'approved' : 'changed';
  return { ...base, status, manifest, hiddenUnicode, approval, ...(status === 'changed' ? { diff } : {}), ...(launchChanged ? { launchChanged } : {}) };
}

/** What decides how a server was captured (the client profile, exclude paths, dynamic lists). */
function capturedAs(manifest: Manifest): unknown {
  return [manifest.capture.clientProfile, manifest.capture.clientCapabilities, manifest.exclude ?? null, manifest.dynamic ?? null];
}

/**
 * The publisher signature of a server not in the lock: the registry entry's bundle when it
 * verifies and matches, else the one the server offers (in `initialize` or `server/discover`),
 * else the registry's failure, so a reviewer sees why a signature did not count.
 */
async function publisherOf(registry: RegistryPublisher | undefined, offered: unknown, live: Manifest, options: ScanOptions): Promise<PublisherSignature | undefined> {
  const fromRegistry = registry?.kind === 'verified' ? compareRegistryPublisher(registry, live) : registry?.kind === 'failed' ? registry.signature : undefined;
  if (fromRegistry?.verified || offered === undefined) return fromRegistry;
  const fromServer = await checkPublisherSignature(offered, live, options.publisherTrust, options.trustSource);
  return fromServer.verified || !fromRegistry ? fromServer : fromRegistry;
}

function publisherOptions(options: ScanOptions): PublisherCheckOptions {
  return {
    ...(options.publisherTrust ? { trust: options.publisherTrust } : {}),
    ...(options.trustSource ? { trustSource: options.trustSource } : {}),
    ...(options.registry?.fetch ? { fetch: options.registry.fetch } : {}),
  };
}

/**
 * Verifies a lock entry's bundle under the lock's approvers and checks it is the approved
 * manifest (digest and server name as recorded).
 *
 * @throws VerificationError from the verifier; InputError `LOCK_ENTRY_MISMATCH`
 */
export function verifyEntry(verifier: ManifestVerifier, entry: LockEntry, name: string): VerifiedAttestation {
  const attestation = verifier.verifyAttestation(entry.bundle, `the approval of "${name}"`);
  if (attestation.digest !== entry.manifestDigest || attestation.manifest.server.name !== entry.server.name) {
    throw new InputError('LOCK_ENTRY_MISMATCH', `The lock entry of "${name}" records manifest ${entry.manifestDigest} but its bundle signs ${attestation.digest}; approve the server again.`);
  }
  return attestation;
}

function errorOf(err: unknown): { code: string; message: string } {
  if (err instanceof ToolsealError) return { code: err.code, message: err.message };
  return { code: 'UNEXPECTED', message: (err as Error)?.message ?? String(err) };
}
