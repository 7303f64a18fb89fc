import semver from 'semver';
import { VerificationError } from '../errors.js';
import type { Sha256Digest } from '../manifest/canonical.js';
import { modelVisibleExcludes } from '../manifest/exclude.js';
import type { Manifest } from '../manifest/schema.js';
import type { Policy } from '../policy/policy.js';

/**
 * The policy's rules about *which* signed manifest is acceptable, beyond who signed it:
 * a pinned digest, and a lowest server version against rollback to an older signed
 * manifest (an attacker who cannot forge a signature can still replay an old one), and
 * the server the manifest must be for, and no exclude path over model-visible text the
 * policy does not allow by name.
 *
 * With `refuseDynamicLists`, every list must be signed.
 *
 * @throws VerificationError `SERVER_NAME_MISMATCH`, `MANIFEST_DIGEST_MISMATCH`, `ROLLBACK`, `EXCLUDE_MODEL_VISIBLE` or `DYNAMIC_LISTS_REFUSED`
 */
export function checkManifestPolicy(manifest: Manifest, digest: Sha256Digest, policy: Pick<Policy, 'manifestDigest' | 'minVersion' | 'serverName' | 'refuseDynamicLists'> & { allowModelVisibleExclude?: readonly string[] }): void {
  if (policy.refuseDynamicLists && manifest.dynamic) {
    throw new VerificationError('DYNAMIC_LISTS_REFUSED', `The signed manifest of ${manifest.server.name} declares ${manifest.dynamic.join(' and ')} dynamic (not signed), and the policy refuses manifests with unsigned lists (refuseDynamicLists).`);
  }
  const allowed = new Set(policy.allowModelVisibleExclude ?? []);
  const visible = modelVisibleExcludes(manifest.exclude).filter((p) => !allowed.has(p));
  if (visible.length > 0) {
    throw new VerificationError('EXCLUDE_MODEL_VISIBLE', `The signed manifest excludes ${visible.map((p) => JSON.stringify(p)).join(', ')} from the signature, which covers text a model reads (names, descriptions, schemas, instructions, ...); what the server serves there would be unchecked. Re-sign without it, exclude only fields such as /tools/*/_meta/..., or allow the path by name in the policy's allowModelVisibleExclude.`);
  }
  if (policy.serverName !== undefined && policy.serverName !== manifest.server.name) {
    throw new VerificationError('SERVER_NAME_MISMATCH', `The signed manifest is for the server "${manifest.server.name}", but the policy expects "${policy.serverName}"; a manifest signed for one server cannot stand for another.`);
  }
  if (policy.manifestDigest && policy.manifestDigest !== digest) {
    throw new VerificationError('MANIFEST_DIGEST_MISMATCH', `The signed manifest has digest ${digest}, but the policy pins ${policy.manifestDigest}.`);
  }
  if (policy.minVersion) {
    const version = semver.valid(manifest.server.version);
    if (!version) {
      throw new VerificationError('ROLLBACK', `The signed manifest's server version "${manifest.server.version}" is not semver, so it cannot be checked against minVersion ${policy.minVersion}.`);
    }
    if (semver.lt(version, policy.minVersion)) {
      throw new VerificationError('ROLLBACK', `The signed manifest is for ${manifest.server.name} ${version}, older than the policy's minVersion ${policy.minVersion}; an old signed manifest may be replayed. Use a current bundle.`);
    }
  }
}
