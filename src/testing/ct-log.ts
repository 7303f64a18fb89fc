import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** A local Certificate Transparency log that only issues SCTs (RFC 6962 §3.2) for precertificates. */
export class LocalCtLog {
  readonly publicKeyDer: Buffer;
  /** RFC 6962 LogID: SHA-256 of the log's SPKI. */
  readonly logId: Buffer;
  readonly #privateKey: KeyObject;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    this.publicKeyDer = publicKey.export({ format: 'der', type: 'spki' });
    this.logId = createHash('sha256').update(this.publicKeyDer).digest();
  }

  /**
   * Returns a v1 SCT (TLS-encoded) over the precertificate TBS `tbs` issued by the key whose
   * SPKI hashes to `issuerKeyHash`. `time` is in milliseconds, as RFC 6962 wants.
   */
  issueSct(tbs: Buffer, issuerKeyHash: Buffer, time: number): Buffer {
    const timestamp = uint(BigInt(time), 8);
    const noExtensions = uint(0n, 2);
    const signed = Buffer.concat([
      Buffer.from([0, 0]), // sct_version v1, signature_type certificate_timestamp
      timestamp,
      uint(1n, 2), // entry_type precert_entry
      issuerKeyHash,
      uint(BigInt(tbs.length), 3),
      tbs,
      noExtensions,
    ]);
    const signature = sign('sha256', signed, this.#privateKey);
    return Buffer.concat([
      Buffer.from([0]),
      this.logId,
      timestamp,
      noExtensions,
      Buffer.from([4, 3]), // hash sha256, signature ecdsa
      uint(BigInt(signature.length), 2),
      signature,
    ]);
  }
}

/** An SCT list as carried in the certificate extension: uint16 list length, then uint16-prefixed SCTs. */
export function sctList(scts: Buffer[]): Buffer {
  const items = scts.map((sct) => Buffer.concat([uint(BigInt(sct.length), 2), sct]));
  const body = Buffer.concat(items);
  return Buffer.concat([uint(BigInt(body.length), 2), body]);
}

function uint(value: bigint, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  for (let i = bytes - 1, v = value; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}
