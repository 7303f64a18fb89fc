import { Key, Metadata, MetaFile, Root, Signature, Snapshot, TargetFile, Targets, Timestamp } from '@tufjs/models';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The mirror whose cache {@link writeWarmTufCache} fills by default: Sigstore public-good's. */
export const PUBLIC_GOOD_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';

/** Options of {@link writeWarmTufCache}. */
export interface WarmTufCacheOptions {
  /** The `trusted_root.json` the cache serves (e.g. the local Sigstore's). */
  trustedRoot: string;
  /** The mirror the cache is for; default public-good. */
  mirrorURL?: string;
  /** How long every role's metadata stays valid; default seven days. */
  validForMs?: number;
}

/**
 * Fills a TUF cache folder the way `@sigstore/tuf` leaves it after a successful refresh, so a
 * client with `forceCache` reads everything from disk and asks no mirror: the four top-level
 * roles, unexpired, signed by one fresh Ed25519 key that the cached `root.json` trusts for all of
 * them, and `targets/trusted_root.json` as the targets role lists it (length and SHA-256).
 *
 * Why a root of our own: the cached `root.json` is the TUF client's trust anchor (it is seeded
 * only when absent), and no test can sign for public-good's keys; the path through toolseal's
 * public-good source is then exactly a warm machine's, with the loopback Sigstore's trust material.
 *
 * @param cacheDir - what toolseal calls the TUF cache (`$TOOLSEAL_CACHE_DIR/tuf`)
 */
export async function writeWarmTufCache(cacheDir: string, options: WarmTufCacheOptions): Promise<void> {
  const url = new URL(options.mirrorURL ?? PUBLIC_GOOD_MIRROR);
  const repo = join(cacheDir, encodeURIComponent(url.host + url.pathname.replace(/\/$/, '')));
  await mkdir(join(repo, 'targets'), { recursive: true });
  const expires = new Date(Date.now() + (options.validForMs ?? 7 * 24 * 3600_000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const common = { version: 1, specVersion: '1.0.31', expires };

  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  const keyVal = { public: raw };
  const keyID = createHash('sha256').update(JSON.stringify({ keytype: 'ed25519', keyval: keyVal, scheme: 'ed25519' })).digest('hex');
  const key = new Key({ keyID, keyType: 'ed25519', scheme: 'ed25519', keyVal });
  const signer = (bytes: Buffer): Signature => new Signature({ keyID, sig: sign(null, bytes, privateKey).toString('hex') });

  const trustedRoot = Buffer.from(options.trustedRoot);
  const targets = new Targets({ ...common });
  targets.addTarget(new TargetFile({ path: 'trusted_root.json', length: trustedRoot.length, hashes: { sha256: sha256(trustedRoot) } }));
  const targetsBytes = signed(targets, signer);
  const snapshot = new Snapshot({ ...common, meta: { 'targets.json': new MetaFile({ version: 1 }) } });
  const snapshotBytes = signed(snapshot, signer);
  const timestamp = new Timestamp({ ...common, snapshotMeta: new MetaFile({ version: 1, length: snapshotBytes.length, hashes: { sha256: sha256(snapshotBytes) } }) });
  const root = new Root({ ...common, consistentSnapshot: false });
  for (const role of ['root', 'timestamp', 'snapshot', 'targets']) root.addKey(key, role);

  await Promise.all([
    writeFile(join(repo, 'root.json'), signed(root, signer)),
    writeFile(join(repo, 'timestamp.json'), signed(timestamp, signer)),
    writeFile(join(repo, 'snapshot.json'), snapshotBytes),
    writeFile(join(repo, 'targets.json'), targetsBytes),
    writeFile(join(repo, 'targets', 'trusted_root.json'), trustedRoot),
  ]);
}

function signed(role: Root | Timestamp | Snapshot | Targets, signer: (bytes: Buffer) => Signature): Buffer {
  const metadata = new Metadata(role);
  metadata.sign(signer);
  return Buffer.from(JSON.stringify(metadata.toJSON()));
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
