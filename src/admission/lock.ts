import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { InputError, VerificationError } from '../errors.js';
import { readJsonFile, writeFileAtomic } from '../io/files.js';
import { formatZodIssues } from '../io/zod-issues.js';
import { parsePolicy, PolicySchema, TrustPolicySchema, type Policy } from '../policy/index.js';
import { LaunchRecordSchema } from './launch.js';
import { ClientIdSchema } from './model.js';

/** The lock file's media type; the version changes when the format does. */
export const LOCK_MEDIA_TYPE = 'application/vnd.toolseal.lock+json;version=1';
/** Where `approve`, `scan`, `wrap` and `proxy --lock` look by default. */
export const DEFAULT_LOCK_FILE = 'toolseal.lock.json';

/** One place a server was found. */
export const FoundInSchema = z.strictObject({
  client: ClientIdSchema,
  file: z.string().min(1).describe('The configuration file, with the home folder written as `~` so the lock is portable.'),
  at: z.string().describe('JSON pointer of the entry inside the file.'),
});

/** One approved server. */
export const LockEntrySchema = z.strictObject({
  foundIn: z.array(FoundInSchema).min(1).describe('Where the approved configuration was found.'),
  launch: LaunchRecordSchema,
  server: z.strictObject({ name: z.string(), version: z.string() }).describe('serverInfo of the approved manifest.'),
  manifestDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/).describe('Digest of the approved manifest (RFC 8785, SHA-256).'),
  tools: z.number().int().nonnegative().describe('How many tools the approved manifest lists (for people; the bundle decides).'),
  bundle: z.record(z.string(), z.unknown()).describe('The Sigstore bundle of the approval: the manifest signed as a toolseal attestation by the approver.'),
  approvedBy: z.string().min(1).describe('Who approved, as the signature names them (certificate identity or key fingerprint).'),
  approvedAt: z.iso.datetime({ offset: true }).describe('When, RFC 3339.'),
}).describe('A server a reviewer approved: how it is launched, what it declared, and the signed approval.');

/** A toolseal lock file (`toolseal.lock.json`). */
export const LockFileSchema = z.strictObject({
  mediaType: z.literal(LOCK_MEDIA_TYPE),
  approvers: PolicySchema.shape.identity.describe('Who may approve (a policy identity): every entry\'s bundle must be signed by one of them.'),
  trust: TrustPolicySchema.optional().describe('Trust material for the approvals\' signatures (a trusted_root.json path is relative to the lock); default Sigstore public-good.'),
  servers: z.record(z.string().min(1), LockEntrySchema).describe('Approved servers by name.'),
}).describe('toolseal lock: the MCP servers a reviewer approved, pinned to signed manifests.');

/** A lock file. */
export type LockFile = z.infer<typeof LockFileSchema>;
/** One approved server in a lock. */
export type LockEntry = z.infer<typeof LockEntrySchema>;

/** An empty lock for the given approvers. */
export function emptyLock(approvers: LockFile['approvers'], trust?: LockFile['trust']): LockFile {
  return { mediaType: LOCK_MEDIA_TYPE, approvers, ...(trust ? { trust } : {}), servers: {} };
}

/**
 * Reads a lock file strictly. `undefined` when it does not exist and `optional` is set.
 *
 * @throws InputError `LOCK_INVALID`, `FILE_UNREADABLE`, `JSON_*`
 */
export async function readLockFile(path: string, options: { optional?: boolean } = {}): Promise<LockFile | undefined> {
  let json: unknown;
  try {
    json = await readJsonFile(path);
  } catch (err) {
    if (options.optional && err instanceof InputError && err.code === 'FILE_UNREADABLE' && /does not exist/.test(err.message)) return undefined;
    throw err;
  }
  const parsed = LockFileSchema.safeParse(json);
  if (!parsed.success) throw new InputError('LOCK_INVALID', `${path} is not a toolseal lock file: ${formatZodIssues(parsed.error)}. See schemas/lock.schema.json.`);
  return parsed.data;
}

/** Writes a lock atomically, servers sorted by name, two-space JSON. */
export async function writeLockFile(path: string, lock: LockFile): Promise<void> {
  const servers = Object.fromEntries(Object.entries(lock.servers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  await writeFileAtomic(path, `${JSON.stringify({ ...lock, servers }, null, 2)}\n`);
}

/**
 * The verification policy for one approved server: signed by one of the lock's approvers (or
 * whoever `override` names: a fleet that does not trust the lock's own list pins the approver
 * itself), under the lock's trust material, for exactly the approved manifest digest and server
 * name, enforced as `block` with `exact` match.
 *
 * @throws VerificationError `SERVER_NOT_APPROVED`; PolicyError from `parsePolicy`
 */
export async function lockPolicy(lock: LockFile, lockPath: string, name: string, override?: Policy): Promise<{ policy: Policy; entry: LockEntry }> {
  const entry = Object.hasOwn(lock.servers, name) ? lock.servers[name] : undefined;
  if (!entry) throw notApproved(name, lockPath);
  const pins = { manifestDigest: entry.manifestDigest, serverName: entry.server.name };
  if (override) return { policy: { ...override, ...pins }, entry };
  const policy = await parsePolicy({ version: 1, identity: lock.approvers, ...(lock.trust ? { trust: lock.trust } : {}), ...pins }, lockPath, dirname(resolve(lockPath)));
  return { policy, entry };
}

/** The error for a server the lock does not approve; it says how to approve it. */
export function notApproved(name: string, lockPath: string): VerificationError {
  return new VerificationError('SERVER_NOT_APPROVED', `The MCP server "${name}" is not approved in ${lockPath}; it is quarantined. Review it with "toolseal scan" and approve it with "toolseal approve ${name}".`);
}
