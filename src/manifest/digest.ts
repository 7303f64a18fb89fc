import { jsonDigest, type Sha256Digest } from './canonical.js';
import { entryKey, LIST_NAMES, type ListName } from './lists.js';
import type { Manifest } from './schema.js';

/** The manifest digest: SHA-256 over the manifest's RFC 8785 bytes. */
export function manifestDigest(manifest: Manifest): Sha256Digest {
  return jsonDigest(manifest);
}

/** The digest of one entry (a tool, prompt, resource or template), for diffs and caches. */
export function entryDigest(entry: object): Sha256Digest {
  return jsonDigest(entry);
}

/** One entry with where it lives and its digest. */
export interface EntryDigest {
  list: ListName;
  key: string;
  digest: Sha256Digest;
}

/** Digests of every entry of every list, in manifest order. */
export function entryDigests(manifest: Manifest): EntryDigest[] {
  const out: EntryDigest[] = [];
  for (const list of LIST_NAMES) {
    for (const entry of manifest[list]) {
      out.push({ list, key: entryKey(list, entry), digest: entryDigest(entry) });
    }
  }
  return out;
}
