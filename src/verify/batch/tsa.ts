import { crypto as sigstoreCrypto, type RFC3161Timestamp, type X509Certificate } from '@sigstore/core';
import { VerificationError } from '@sigstore/verify';
import type { KeyObject } from 'node:crypto';
import { ByChainBytes } from './by-chain-bytes.js';
import { CertificateChainVerifier, filterCertAuthorities, type CertAuthority } from './sigstore-parts.js';

/** What never changes about one timestamp authority of the trusted root: its key and its chain. */
interface AuthorityFacts {
  /** Its signing key, or the error sigstore-js's `createPublicKey` threw. */
  key: KeyObject | { error: unknown };
  /** Its chain (signing certificate up to its root) as sigstore-js sorts and checks it, or the error. */
  path: X509Certificate[] | { error: unknown };
}

/**
 * sigstore-js's RFC 3161 timestamp check (`getTSATimestamp` / `verifyRFC3161Timestamp`) with
 * what depends only on the trusted root computed once per authority, keyed by the exact DER
 * of its certificates: the signing key, and the chain's path search and path checks (every
 * certificate in it is trusted material). Per timestamp it still runs every check that
 * depends on the bundle: the authority's validity window and serial/issuer match, each
 * certificate's validity at the signing time, and the timestamp's signature over the
 * bundle's signature.
 */
export class SharedTimestampCache {
  private readonly authorities = new ByChainBytes(authorityFacts);

  /** Same result and errors as sigstore-js's `getTSATimestamp(timestamp, data, authorities)`. */
  verify(timestamp: RFC3161Timestamp, data: Buffer, authorities: CertAuthority[]): { type: 'timestamp-authority'; logID: Buffer; timestamp: Date } {
    const signingTime = timestamp.signingTime;
    const candidates = filterCertAuthorities(authorities, signingTime).filter((ca) => ca.certChain.length > 0
      && sigstoreCrypto.bufferEqual(ca.certChain[0]!.serialNumber, timestamp.signerSerialNumber)
      && sigstoreCrypto.bufferEqual(ca.certChain[0]!.issuer, timestamp.signerIssuer));
    const verified = candidates.some((ca) => {
      try {
        this.verifyForAuthority(timestamp, data, ca);
        return true;
      } catch {
        return false;
      }
    });
    if (!verified) throw new VerificationError({ code: 'TIMESTAMP_ERROR', message: 'timestamp could not be verified' });
    return { type: 'timestamp-authority', logID: timestamp.signerSerialNumber, timestamp: signingTime };
  }

  /** sigstore-js's `verifyTimestampForCA`, in its order: key, chain at the signing time, signature. */
  private verifyForAuthority(timestamp: RFC3161Timestamp, data: Buffer, ca: CertAuthority): void {
    const facts = this.factsOf(ca);
    if ('error' in facts.key) throw facts.key.error;
    if ('error' in facts.path || !facts.path.every((cert) => cert.validForDate(timestamp.signingTime))) {
      throw new VerificationError({ code: 'TIMESTAMP_ERROR', message: 'invalid certificate chain' });
    }
    timestamp.verify(data, facts.key);
  }

  private factsOf(ca: CertAuthority): AuthorityFacts {
    return this.authorities.of(ca);
  }
}

function authorityFacts(ca: CertAuthority): AuthorityFacts {
  const [leaf, ...cas] = ca.certChain as [X509Certificate, ...X509Certificate[]];
  let key: AuthorityFacts['key'];
  try { key = sigstoreCrypto.createPublicKey(leaf.publicKey); } catch (error) { key = { error }; }
  let path: AuthorityFacts['path'];
  try {
    // sort() and checkPath() do not read the timestamp; only the validity check does, per use.
    const verifier = new CertificateChainVerifier({ untrustedCert: leaf, trustedCerts: cas, timestamp: new Date(0) }) as unknown as { sort(): X509Certificate[]; checkPath(p: X509Certificate[]): void };
    path = verifier.sort();
    verifier.checkPath(path);
  } catch (error) {
    path = { error };
  }
  return { key, path };
}
