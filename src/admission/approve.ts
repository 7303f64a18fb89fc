import { homedir } from 'node:os';
import { InputError, PolicyError } from '../errors.js';
import { signManifest } from '../sign/sign-manifest.js';
import type { ManifestSigner } from '../sign/signer.js';
import type { KeylessIdentityPolicy } from '../policy/index.js';
import { launchRecord } from './launch.js';
import { emptyLock, type LockEntry, type LockFile } from './lock.js';
import type { ConfiguredServer } from './model.js';
import type { ServerScan } from './scan.js';

/** Options of {@link approveServers}. */
export interface ApproveOptions {
  signer: ManifestSigner;
  /** The lock to add to; a new one when absent. */
  lock?: LockFile;
  /** Recorded as the lock's trust material when it is new (a trusted_root.json for a private Sigstore). */
  trust?: LockFile['trust'];
  /** Asked once per server after its review; default: approve. The CLI asks on a terminal. */
  confirm?: (scan: ServerScan) => Promise<boolean>;
  /** The approval time; default now. */
  now?: () => Date;
  /** Replaces the home folder by `~` in recorded paths. Default: this user's home. */
  home?: string;
}

/** What {@link approveServers} did. */
export interface ApproveResult {
  lock: LockFile;
  approved: { name: string; digest: string; by: string }[];
  /** Approved before and unchanged: nothing signed. */
  unchanged: string[];
  /** The reviewer said no. */
  declined: string[];
}

/**
 * Approves captured servers: for each one the reviewer confirms, signs its live manifest as a
 * toolseal attestation by the approver (the signer's identity, not the publisher's) and records
 * it in the lock with where it was found and how it is launched (variable names only). A server
 * that could not be captured cannot be approved; an approved, unchanged one is left as it is.
 * The approver joins the lock's `approvers` (keys with keys, keyless identities with keyless).
 * Nothing is written here: the caller writes the returned lock (atomically).
 *
 * @throws InputError `APPROVE_NOT_CAPTURED`, `APPROVE_AMBIGUOUS`; PolicyError `APPROVER_KIND_MISMATCH`
 */
export async function approveServers(scans: ServerScan[], servers: ConfiguredServer[], options: ApproveOptions): Promise<ApproveResult> {
  const groups = groupByName(scans, servers);
  const lock: LockFile = structuredClone(options.lock ?? emptyLock(options.signer.publicKeyPem ? { keys: [options.signer.publicKeyPem] } : [], options.trust));
  checkApproverKind(lock, options.signer);
  const result: ApproveResult = { lock, approved: [], unchanged: [], declined: [] };
  for (const [name, group] of groups) {
    const scan = group[0]!.scan;
    if (scan.status === 'approved') {
      result.unchanged.push(name);
      continue;
    }
    if (!(await (options.confirm ?? (async () => true))(scan))) {
      result.declined.push(name);
      continue;
    }
    const signed = await signManifest(scan.manifest!, options.signer);
    addApprover(lock, options.signer, signed.signedBy);
    lock.servers[name] = {
      foundIn: group.map(({ server }) => ({ client: server.client, file: portablePath(server.file, options.home ?? homedir()), at: pointer(server.at) })),
      launch: launchRecord(group[0]!.server),
      server: { name: scan.manifest!.server.name, version: scan.manifest!.server.version },
      manifestDigest: signed.digest,
      tools: scan.manifest!.tools.length,
      bundle: signed.bundle as unknown as LockEntry['bundle'],
      approvedBy: signed.signerText,
      approvedAt: (options.now?.() ?? new Date()).toISOString(),
    };
    result.approved.push({ name, digest: signed.digest, by: signed.signerText });
  }
  return result;
}

/** Pairs each scan with its configured server and groups them by name; one name must mean one launch. */
function groupByName(scans: ServerScan[], servers: ConfiguredServer[]): Map<string, { scan: ServerScan; server: ConfiguredServer }[]> {
  const groups = new Map<string, { scan: ServerScan; server: ConfiguredServer }[]>();
  scans.forEach((scan, i) => {
    if (scan.status === 'disabled') return;
    if (!scan.manifest) {
      throw new InputError('APPROVE_NOT_CAPTURED', `The MCP server "${scan.name}" in ${scan.file} could not be captured, so it cannot be approved: ${scan.error?.message ?? 'unknown reason'}`);
    }
    groups.set(scan.name, [...(groups.get(scan.name) ?? []), { scan, server: servers[i]! }]);
  });
  for (const [name, group] of groups) {
    const first = JSON.stringify(group[0]!.scan.launch);
    const other = group.find((g) => JSON.stringify(g.scan.launch) !== first || g.scan.manifest!.tools.length !== group[0]!.scan.manifest!.tools.length);
    if (other) {
      throw new InputError('APPROVE_AMBIGUOUS', `"${name}" is configured differently in ${group[0]!.scan.file} and ${other.scan.file}; one lock entry pins one server. Rename one of them, or approve one file with --config.`);
    }
  }
  return groups;
}

function checkApproverKind(lock: LockFile, signer: ManifestSigner): void {
  const lockKeys = !Array.isArray(lock.approvers) && 'keys' in lock.approvers;
  const empty = Array.isArray(lock.approvers) && lock.approvers.length === 0;
  if (!empty && lockKeys !== Boolean(signer.publicKeyPem)) {
    throw new PolicyError('APPROVER_KIND_MISMATCH', `The lock's approvers sign ${lockKeys ? 'with keys' : 'keyless'}, and this approval would be ${signer.publicKeyPem ? 'with a key' : 'keyless'}; approve the same way, or start another lock with --lock.`);
  }
}

function addApprover(lock: LockFile, signer: ManifestSigner, signedBy: unknown): void {
  if (signer.publicKeyPem) {
    const keys = !Array.isArray(lock.approvers) && 'keys' in lock.approvers ? lock.approvers.keys : [];
    if (!keys.includes(signer.publicKeyPem)) lock.approvers = { keys: [...keys, signer.publicKeyPem] };
    return;
  }
  const who = signedBy as { kind?: string; issuer?: string; subject?: string } | undefined;
  if (who?.kind !== 'keyless' || !who.issuer || !who.subject) return;
  const list: KeylessIdentityPolicy[] = Array.isArray(lock.approvers) ? lock.approvers : 'keys' in lock.approvers ? [] : [lock.approvers];
  if (!list.some((id) => id.issuer === who.issuer && id.subject === who.subject)) lock.approvers = [...list, { issuer: who.issuer, subject: who.subject }];
}

/** The path with the home folder written as `~`, so a lock reads the same on every machine. */
export function portablePath(path: string, home: string): string {
  return home && (path === home || path.startsWith(`${home}/`) || path.startsWith(`${home}\\`)) ? `~${path.slice(home.length)}` : path;
}

function pointer(at: string[]): string {
  return at.map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
