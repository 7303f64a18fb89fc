import type { Policy } from '../policy/index.js';
import type { TrustSource } from '../verify/trust/source.js';
import { createManifestVerifier, type VerifiedAttestation } from '../verify/verify-server.js';
import { lockPolicy, readLockFile, type LockEntry } from './lock.js';
import { verifyEntry } from './scan.js';

/** Options of {@link admitFromLock}. */
export interface AdmitFromLockOptions {
  lockPath: string;
  /** The server's name in the lock. */
  server: string;
  /** Who may have approved, instead of the lock's own `approvers` (a fleet pinning its reviewers). */
  approverPolicy?: Policy;
  trustSource?: TrustSource;
}

/** A server the lock admits: the policy to enforce and its verified, approved manifest. */
export interface Admission {
  policy: Policy;
  attestation: VerifiedAttestation;
  entry: LockEntry;
}

/**
 * Takes a lock entry as the policy of a guard or proxy: verifies the approval's bundle under the
 * lock's approvers (or `approverPolicy`), pinned to the approved digest and server name, enforced
 * as `block` with `exact` match. Pass `attestation` and `policy` to `runStdioProxy`,
 * `startHttpProxy` or `guardClient`. A server the lock does not name is not admitted.
 *
 * @throws VerificationError `SERVER_NOT_APPROVED` or why the approval does not verify;
 *   InputError `LOCK_INVALID`, `LOCK_ENTRY_MISMATCH`, file errors
 */
export async function admitFromLock(options: AdmitFromLockOptions): Promise<Admission> {
  const lock = (await readLockFile(options.lockPath))!;
  const { policy, entry } = await lockPolicy(lock, options.lockPath, options.server, options.approverPolicy);
  const verifier = await createManifestVerifier({ policy: { ...policy, enforce: 'block', match: 'exact' }, ...(options.trustSource ? { trustSource: options.trustSource } : {}) });
  const attestation = verifyEntry(verifier, entry, options.server);
  return { policy: verifier.policy, attestation, entry };
}
