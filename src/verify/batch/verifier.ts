import type { TransparencyLogEntry } from '@sigstore/bundle';
import { crypto as sigstoreCrypto, type X509Certificate } from '@sigstore/core';
import { VerificationError, type SignedEntity, type Signer, type TrustMaterial } from '@sigstore/verify';
import { isDeepStrictEqual } from 'node:util';
import { LeafFacts, SharedChainCache } from './chain.js';
import {
  getTLogTimestamp, verifyCheckpoint, verifyMerkleInclusion, verifyPublicKey, verifySCTs, verifyTLogBody, verifyTLogSET,
  type LogCheckpoint, type TLogAuthority,
} from './sigstore-parts.js';
import { SharedTimestampCache } from './tsa.js';

/** sigstore-js's `VerifierOptions` thresholds. */
export interface Thresholds { ctlogThreshold?: number; tlogThreshold?: number; timestampThreshold?: number }

/** How many verified checkpoints to keep per trust material; a checkpoint is a few hundred bytes. */
const CHECKPOINT_CAPACITY = 4096;

/**
 * Caches shared by many verifications under one trust material: what is the same for every
 * bundle from one Sigstore instance and depends only on exact bytes.
 *
 * - the path from a leaf's issuer up to the root, signatures checked once per CA chain
 *   (keyed by the DER of the chain's certificates);
 * - each timestamp authority's key and chain (keyed by the DER of its certificates);
 * - verified checkpoints (keyed by the log ID and the signed note's exact text), so bundles
 *   whose inclusion proofs end in the same checkpoint check its signature once.
 *
 * Everything else stays per bundle, in sigstore-js's order with its errors: each timestamp
 * (log entry, RFC 3161 signature), the leaf certificate's signature by its issuer and every
 * certificate's validity at each signing time, the SCTs, each log entry's SET, inclusion
 * proof and body, and the bundle's signature.
 */
class TrustCaches {
  readonly chains = new SharedChainCache();
  readonly timestamps = new SharedTimestampCache();
  private readonly checkpoints = new Map<string, LogCheckpoint>();

  constructor(private readonly keepCheckpoints: boolean) {}

  /** sigstore-js's `verifyCheckpoint(entry, tlogs)`, a verified note reused by its exact text. */
  checkpoint(entry: Parameters<typeof verifyCheckpoint>[0], tlogs: TLogAuthority[]): LogCheckpoint {
    const key = `${entry.logId.keyId.toString('hex')}\n${entry.inclusionProof.checkpoint.envelope}`;
    let checkpoint = this.checkpoints.get(key);
    if (!checkpoint) {
      checkpoint = verifyCheckpoint(entry, tlogs);
      if (!this.keepCheckpoints) return checkpoint;
      if (this.checkpoints.size >= CHECKPOINT_CAPACITY) this.checkpoints.delete(this.checkpoints.keys().next().value as string);
      this.checkpoints.set(key, checkpoint);
    }
    return checkpoint;
  }
}

/**
 * Shared verification caches for a batch of bundles (a registry audit): hand the same
 * instance to every verification; each trust material gets its own caches (a WeakMap, so
 * they go when the trust material does). Verifying with them gives the same answer as
 * sigstore-js's `new Verifier(trust, thresholds).verify(entity)`, one bundle at a time.
 */
export class SharedVerificationCaches {
  private readonly byTrust = new WeakMap<TrustMaterial, TrustCaches>();
  private readonly checkpoints: boolean;

  /**
   * @param options.checkpoints - keep verified checkpoints (default true). Without, only what
   *   depends on the trust material alone is kept (chain paths, timestamp authorities): what
   *   a `ManifestVerifier` keeps for itself, since it loads its trust once.
   */
  constructor(options: { checkpoints?: boolean } = {}) {
    this.checkpoints = options.checkpoints ?? true;
  }

  /** Verifies `entity` as sigstore-js's `Verifier.verify(entity)` does (no policy), with the shared caches. */
  verify(entity: SignedEntity, trust: TrustMaterial, thresholds: Thresholds = {}): Signer {
    let caches = this.byTrust.get(trust);
    if (!caches) this.byTrust.set(trust, (caches = new TrustCaches(this.checkpoints)));
    return new CachedVerification(entity, trust, caches, {
      ctlog: thresholds.ctlogThreshold ?? 1, tlog: thresholds.tlogThreshold ?? 1, timestamp: thresholds.timestampThreshold ?? 1,
    }).run();
  }
}

/** One verification: sigstore-js's `Verifier.verify`, step for step. */
class CachedVerification {
  constructor(
    private readonly entity: SignedEntity,
    private readonly trust: TrustMaterial,
    private readonly caches: TrustCaches,
    private readonly thresholds: { ctlog: number; tlog: number; timestamp: number },
  ) {}

  run(): Signer {
    const timestamps = this.timestamps();
    const signer = this.signingKey(timestamps);
    this.tlogs();
    if (!this.entity.signature.verifySignature(signer.key)) {
      throw new VerificationError({ code: 'SIGNATURE_ERROR', message: 'signature verification failed' });
    }
    return signer;
  }

  private timestamps(): Date[] {
    const found = [];
    for (const timestamp of this.entity.timestamps) {
      if (timestamp.$case === 'timestamp-authority') {
        found.push(this.caches.timestamps.verify(timestamp.timestamp, this.entity.signature.signature, this.trust.timestampAuthorities));
      } else {
        const result = getTLogTimestamp(timestamp.tlogEntry);
        if (result) found.push(result);
      }
    }
    if (containsDupes(found)) throw new VerificationError({ code: 'TIMESTAMP_ERROR', message: 'duplicate timestamp' });
    if (found.length < this.thresholds.timestamp) {
      throw new VerificationError({ code: 'TIMESTAMP_ERROR', message: `expected ${this.thresholds.timestamp} timestamps, got ${found.length}` });
    }
    return found.map((t) => t.timestamp);
  }

  private signingKey(timestamps: Date[]): Signer {
    const key = this.entity.key;
    if (key.$case === 'public-key') return verifyPublicKey(key.hint, timestamps, this.trust);
    const leaf = new LeafFacts(key.certificate);
    let path: ReturnType<SharedChainCache['verifyChain']> = [];
    for (const timestamp of timestamps) path = this.caches.chains.verifyChain(timestamp, leaf, this.trust.certificateAuthorities);
    const scts = verifySCTs(path[0]!, path[1]!, this.trust.ctlogs);
    if (containsDupes(scts)) throw new VerificationError({ code: 'CERTIFICATE_ERROR', message: 'duplicate SCT' });
    if (scts.length < this.thresholds.ctlog) {
      throw new VerificationError({ code: 'CERTIFICATE_ERROR', message: `expected ${this.thresholds.ctlog} SCTs, got ${scts.length}` });
    }
    return signerOf(path[0]!);
  }

  private tlogs(): void {
    const ids: { logID: Buffer; body: Buffer }[] = [];
    for (const entry of this.entity.tlogEntries) {
      this.inclusion(entry);
      verifyTLogBody(entry, this.entity.signature);
      ids.push({ logID: entry.logId.keyId, body: entry.canonicalizedBody });
    }
    if (containsDupes(ids)) throw new VerificationError({ code: 'TLOG_ERROR', message: 'duplicate tlog entry' });
    if (ids.length < this.thresholds.tlog) {
      throw new VerificationError({ code: 'TLOG_ERROR', message: `expected ${this.thresholds.tlog} tlog entries, got ${ids.length}` });
    }
  }

  /** sigstore-js's `verifyTLogInclusion`, the checkpoint's signature checked once per exact note. */
  private inclusion(entry: TransparencyLogEntry): void {
    let verified = false;
    if (entry.inclusionPromise !== undefined) {
      verifyTLogSET(entry as Parameters<typeof verifyTLogSET>[0], this.trust.tlogs);
      verified = true;
    }
    if (entry.inclusionProof !== undefined) {
      const proven = entry as Parameters<typeof verifyMerkleInclusion>[0];
      const matching = this.trust.tlogs.filter((tlog) => tlog.logID.equals(entry.logId.keyId));
      verifyMerkleInclusion(proven, this.caches.checkpoint(proven, matching));
      verified = true;
    }
    if (!verified) throw new VerificationError({ code: 'TLOG_MISSING_INCLUSION_ERROR', message: 'inclusion could not be verified' });
  }
}

const OID_FULCIO_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_FULCIO_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';

/**
 * sigstore-js's `getSigner(cert)` (not exported), so a certificate whose extensions it cannot
 * read fails here exactly as it fails there. toolseal reads the identity itself, strictly,
 * from the certificate (`signerFromCertificate`); the key is what the signature is checked with.
 */
function signerOf(cert: X509Certificate): Signer {
  const v2 = cert.extension(OID_FULCIO_ISSUER_V2);
  const issuer = v2 ? v2.valueObj.subs?.[0]?.value.toString('ascii') : cert.extension(OID_FULCIO_ISSUER_V1)?.value.toString('ascii');
  const oids = cert.extensions.map((ext) => ({ oid: { id: ext.subs[0]!.toOID().split('.').map(Number) }, value: ext.subs[ext.subs.length - 1]!.value }));
  const san = cert.subjectAltName;
  return {
    key: sigstoreCrypto.createPublicKey(cert.publicKey),
    identity: { extensions: issuer === undefined ? {} : { issuer }, ...(san === undefined ? {} : { subjectAlternativeName: san }), oids },
  };
}

function containsDupes(items: unknown[]): boolean {
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) if (isDeepStrictEqual(items[i], items[j])) return true;
  }
  return false;
}
