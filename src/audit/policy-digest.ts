import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { jsonDigest } from '../manifest/canonical.js';
import { TOOLSEAL_VERSION } from '../version.js';
import type { ResolvedPolicy } from './namespace-policy.js';

/**
 * The cache key of a policy: the policy itself (keys as PEM), the GitHub owner check,
 * toolseal's version (verification rules change between versions) and, for a
 * trusted_root.json, the file's bytes, so editing any of them invalidates old entries.
 */
export function policyDigester(): (resolved: ResolvedPolicy) => Promise<string> {
  // Keyed by content, not identity: the GitHub default builds a new ResolvedPolicy per server,
  // and a memo per object would grow with the list.
  const memo = new Map<string, Promise<string>>();
  const roots = new Map<string, Promise<string>>();
  const rootDigest = (path: string): Promise<string> => {
    if (!roots.has(path)) roots.set(path, readFile(path).then((b) => createHash('sha256').update(b).digest('hex'), () => 'unreadable'));
    return roots.get(path)!;
  };
  return (resolved) => {
    const key = JSON.stringify([resolved.policy, resolved.githubOwner ?? null]);
    if (!memo.has(key)) {
      memo.set(key, (async () => {
        const trust = resolved.policy.trust;
        const root = trust.source === 'trusted-root' ? await rootDigest(trust.path) : null;
        return jsonDigest({ v: TOOLSEAL_VERSION, policy: resolved.policy, owner: resolved.githubOwner ?? null, root }).slice('sha256:'.length);
      })());
    }
    return memo.get(key)!;
  };
}
