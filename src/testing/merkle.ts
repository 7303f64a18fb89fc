import { createHash } from 'node:crypto';

/** RFC 6962 §2.1 Merkle tree hashing, as Rekor (Trillian) computes it. */

const sha256 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** The leaf hash: SHA-256(0x00 || leaf). */
export const leafHash = (leaf: Buffer): Buffer => sha256(Buffer.from([0]), leaf);

const nodeHash = (left: Buffer, right: Buffer): Buffer => sha256(Buffer.from([1]), left, right);

/** The largest power of two smaller than `n` (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes. */
export function rootHash(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0] as Buffer;
  const k = split(leaves.length);
  return nodeHash(rootHash(leaves.slice(0, k)), rootHash(leaves.slice(k)));
}

/** PATH(m, D[n]): the audit path for leaf `index`, bottom-up, as verifiers consume it. */
export function inclusionPath(index: number, leaves: readonly Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return index < k
    ? [...inclusionPath(index, leaves.slice(0, k)), rootHash(leaves.slice(k))]
    : [...inclusionPath(index - k, leaves.slice(k)), rootHash(leaves.slice(0, k))];
}
