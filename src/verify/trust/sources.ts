import type { TrustMaterial } from '@sigstore/verify';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TrustError } from '../../errors.js';
import { readTextFile } from '../../io/files.js';
import { identityPolicyOf, type Policy, type TrustPolicy } from '../../policy/policy.js';
import { trustMaterialFromText } from './material.js';
import type { TrustSource } from './source.js';
import { fetchTrustedRoot } from './tuf-wait.js';

const PUBLIC_GOOD_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';
const TRUSTED_ROOT_TARGET = 'trusted_root.json';

/** Options for sources that talk to TUF. */
export interface TufOptions {
  /** Where TUF metadata is cached; default `$TOOLSEAL_CACHE_DIR/tuf` or `~/.cache/toolseal/tuf`. */
  cacheDir?: string;
  /** Told (one line) when the mirror did not answer and the cached copy is used. Default: stderr. */
  onNote?: (line: string) => void;
}

/** The default TUF cache directory. */
export function defaultTufCacheDir(): string {
  return join(process.env.TOOLSEAL_CACHE_DIR || join(homedir(), '.cache', 'toolseal'), 'tuf');
}

/** Wraps a loader so the trust material is built once and shared by every verification. */
function once(description: string, load: () => Promise<TrustMaterial>): TrustSource {
  let pending: Promise<TrustMaterial> | undefined;
  return {
    description,
    load: () => {
      pending ??= load();
      pending.catch(() => { pending = undefined; });
      return pending;
    },
  };
}

/** Trust from a `trusted_root.json` file: fully offline. */
export function trustedRootFileSource(path: string): TrustSource {
  return once(`trusted root ${path}`, async () => trustMaterialFromText(await readTextFile(path), path));
}

/**
 * Trust from a TUF repository (Sigstore public-good by default, or a private instance).
 * Metadata is cached on disk; while the cached timestamp is unexpired no network is used.
 * The mirror never holds verification up for long: see `fetchTrustedRoot` (2 s with a
 * cached copy to fall back on, 15 s without).
 */
export function tufSource(mirrorURL: string, rootPath: string | undefined, options: TufOptions = {}): TrustSource {
  const description = mirrorURL === PUBLIC_GOOD_MIRROR ? 'Sigstore public-good (TUF)' : `TUF repository ${mirrorURL}`;
  return once(description, async () => {
    const text = await fetchTrustedRoot({
      mirrorURL, rootPath, description,
      cachePath: options.cacheDir ?? defaultTufCacheDir(),
      onNote: options.onNote ?? ((line) => void process.stderr.write(`${line}\n`)),
    });
    return trustMaterialFromText(text, `${description} trusted_root.json`);
  });
}

/** Sigstore public-good through TUF, cached on disk. */
export function publicGoodSource(options: TufOptions = {}): TrustSource {
  return tufSource(PUBLIC_GOOD_MIRROR, undefined, options);
}

/**
 * The public-good trusted root that ships inside `@sigstore/tuf` (its TUF seed), without
 * any TUF refresh. It is as old as the installed package, so it may miss key rotations;
 * meant for offline use and tests, not as a silent fallback.
 */
export function embeddedPublicGoodSource(): TrustSource {
  return once('Sigstore public-good (trusted root embedded in @sigstore/tuf)', async () => {
    // A literal import (not createRequire + require.resolve) so bundlers such as the
    // Action's esbuild build carry the file along instead of looking for node_modules.
    const { default: seeds } = (await import('@sigstore/tuf/seeds.json', { with: { type: 'json' } })) as { default: Record<string, { targets?: Record<string, string> }> };
    const encoded = seeds[PUBLIC_GOOD_MIRROR]?.targets?.[TRUSTED_ROOT_TARGET];
    if (!encoded) throw new TrustError('TRUSTED_ROOT_INVALID', 'The installed @sigstore/tuf ships no public-good trusted_root.json. Use --trusted-root FILE.');
    return trustMaterialFromText(Buffer.from(encoded, 'base64').toString('utf8'), 'the trusted root embedded in @sigstore/tuf');
  });
}

/** The trust source a policy's `trust` field names. */
export function trustSourceFromPolicy(trust: TrustPolicy, options: TufOptions & { offline?: boolean } = {}): TrustSource {
  switch (trust.source) {
    case 'trusted-root': return trustedRootFileSource(trust.path);
    case 'tuf': return tufSource(trust.mirror, trust.root, options);
    case 'public-good': return options.offline ? embeddedPublicGoodSource() : publicGoodSource(options);
  }
}

/**
 * The trust source for a whole policy: `trustSourceFromPolicy(policy.trust)`, except that a
 * pinned-key policy on the default public-good trust uses the public-good root embedded in
 * `@sigstore/tuf`. A key needs no certificate authority, so such a verification never touches
 * TUF or the network; a public-good log entry or timestamp in the bundle is still checked
 * against that root. Name the trust (`--trusted-root`, a policy `trust`) to check others.
 */
export function trustSourceForPolicy(policy: Pick<Policy, 'identity' | 'trust'>, options: TufOptions & { offline?: boolean } = {}): TrustSource {
  if (identityPolicyOf(policy).kind === 'key' && policy.trust.source === 'public-good') return embeddedPublicGoodSource();
  return trustSourceFromPolicy(policy.trust, options);
}
