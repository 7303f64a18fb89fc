import { createHash, generateKeyPairSync, randomInt, sign, type KeyObject } from 'node:crypto';
import { canonicalBytes } from '../manifest/canonical.js';
import { inclusionPath, leafHash, rootHash } from './merkle.js';

/** One logged entry as Rekor's v1 API returns it (the value under the entry UUID). */
export interface RekorLogEntry {
  body: string;
  integratedTime: number;
  logID: string;
  logIndex: number;
  verification: {
    inclusionProof: { logIndex: number; treeSize: number; rootHash: string; hashes: string[]; checkpoint: string };
    signedEntryTimestamp: string;
  };
}

/**
 * An in-memory, append-only transparency log: a real RFC 6962 Merkle tree whose entries get
 * an inclusion proof against a signed checkpoint and a Signed Entry Timestamp, like Rekor v1.
 */
export class LocalRekorLog {
  readonly publicKeyDer: Buffer;
  /** SHA-256 of the log's SPKI: the log ID in bundles and the trusted root. */
  readonly logId: Buffer;
  readonly #privateKey: KeyObject;
  readonly #treeId = randomInt(2 ** 47);
  readonly #origin: string;
  readonly #leaves: Buffer[] = [];
  readonly #bodies: Buffer[] = [];
  readonly #times: number[] = [];

  /** `host` (e.g. `127.0.0.1:4567`) names the checkpoint signer; verifiers match it against the log's URL. */
  constructor(readonly host: string) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    this.publicKeyDer = publicKey.export({ format: 'der', type: 'spki' });
    this.logId = createHash('sha256').update(this.publicKeyDer).digest();
    this.#origin = `${host} - ${this.#treeId}`;
  }

  /** The entry UUID Rekor uses: 16 hex digits of tree ID, then the leaf hash. */
  uuidOf(index: number): string {
    return this.#treeId.toString(16).padStart(16, '0') + (this.#leaves[index] as Buffer).toString('hex');
  }

  /** The index of an already logged canonical body, if any (Rekor refuses duplicates with 409). */
  indexOf(body: Buffer): number {
    const hash = leafHash(body);
    return this.#leaves.findIndex((leaf) => leaf.equals(hash));
  }

  /** The index for a UUID, or -1. */
  indexOfUuid(uuid: string): number {
    return this.#leaves.findIndex((_, i) => this.uuidOf(i) === uuid);
  }

  /** Appends a canonical body; `integratedTime` is whole seconds, as Rekor records it. */
  append(body: Buffer): number {
    this.#leaves.push(leafHash(body));
    this.#bodies.push(body);
    this.#times.push(Math.floor(Date.now() / 1000));
    return this.#leaves.length - 1;
  }

  /** The entry at `index` with a proof against the current tree head. */
  entry(index: number): RekorLogEntry {
    const body = this.#bodies[index] as Buffer;
    const integratedTime = this.#times[index] as number;
    const logID = this.logId.toString('hex');
    const set = { body: body.toString('base64'), integratedTime, logIndex: index, logID };
    const signedEntryTimestamp = sign('sha256', canonicalBytes(set), this.#privateKey);
    const root = rootHash(this.#leaves);
    return {
      ...set,
      verification: {
        inclusionProof: {
          logIndex: index,
          treeSize: this.#leaves.length,
          rootHash: root.toString('hex'),
          hashes: inclusionPath(index, this.#leaves).map((h) => h.toString('hex')),
          checkpoint: this.#checkpoint(root),
        },
        signedEntryTimestamp: signedEntryTimestamp.toString('base64'),
      },
    };
  }

  /** A signed note (C2SP signed-note): origin, size, root hash, timestamp; key hint = first 4 bytes of the log ID. */
  #checkpoint(root: Buffer): string {
    const note = [this.#origin, String(this.#leaves.length), root.toString('base64'), `Timestamp: ${Date.now() * 1_000_000}`, ''].join('\n');
    const signature = sign('sha256', Buffer.from(note), this.#privateKey);
    const hinted = Buffer.concat([this.logId.subarray(0, 4), signature]).toString('base64');
    return `${note}\n\u2014 ${this.host} ${hinted}\n`;
  }
}
