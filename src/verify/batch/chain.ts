import { crypto as sigstoreCrypto, type X509Certificate } from '@sigstore/core';
import { VerificationError } from '@sigstore/verify';
import type { KeyObject } from 'node:crypto';
import { ByChainBytes } from './by-chain-bytes.js';
import { CertificateChainVerifier, filterCertAuthorities, type CertAuthority } from './sigstore-parts.js';

/** sigstore-js's chain verifier, with the private steps this module runs one by one. */
interface ChainSteps {
  sort(): X509Certificate[];
  buildPaths(certificate: X509Certificate): X509Certificate[][];
  checkPath(path: X509Certificate[]): void;
}
const steps = (verifier: CertificateChainVerifier): ChainSteps => verifier as unknown as ChainSteps;

/** What is fixed about one trusted certificate of a CA's chain, computed once. */
interface TrustedCert {
  cert: X509Certificate;
  spki: Buffer;
  /** Undefined when the key cannot be read: sigstore-js's `verify` then fails (false), and so does this. */
  key: KeyObject | undefined;
  /** Self-issued and verifying under its own key: sigstore-js's path search stops at it. */
  selfSigned: boolean;
}

/**
 * One trusted CA chain (from the trusted root), with the part of sigstore-js's path search
 * that never involves a bundle's leaf computed once: each trusted certificate's parsed key
 * and DER, and the verified paths from each trusted certificate up to a self-signed root
 * (sigstore-js's own `buildPaths` over the trusted certificates, signature checks included).
 * Keyed by the DER of every certificate in the chain (see {@link SharedChainCache}).
 */
class TrustedChain {
  private readonly trusted: TrustedCert[];
  private readonly upward = new Map<X509Certificate, X509Certificate[][] | { error: unknown }>();
  /** sigstore-js's `checkPath` reads only the path it is given, so one instance serves every leaf. */
  private readonly checker: ChainSteps;

  constructor(private readonly ca: CertAuthority) {
    this.trusted = dedupe(ca.certChain).map((cert) => {
      const spki = cert.publicKey;
      let key: KeyObject | undefined;
      try { key = sigstoreCrypto.createPublicKey(spki); } catch { key = undefined; }
      let selfSigned = false;
      try { selfSigned = cert.subject.equals(cert.issuer) && cert.verify(); } catch { selfSigned = false; }
      return { cert, spki, key, selfSigned };
    });
    this.checker = steps(new CertificateChainVerifier({ trustedCerts: ca.certChain, untrustedCert: ca.certChain[0]!, timestamp: new Date(0) }));
  }

  /**
   * The path sigstore-js's `CertificateChainVerifier(...).verify()` returns for `leaf` at
   * `timestamp`, or its error. The leaf's own checks (its signature by each candidate
   * issuer, name chaining, path constraints, every certificate's validity at the time) run
   * for every bundle; only the paths above the leaf's issuer come from the cache. A leaf
   * that could take part in the search above its issuer (self-issued, equal to or sharing a
   * key with a trusted certificate, or named as a trusted certificate's issuer) goes through
   * sigstore-js's verifier unchanged.
   */
  verify(leaf: LeafFacts, timestamp: Date): X509Certificate[] {
    if (this.leafTakesPartAbove(leaf)) {
      return new CertificateChainVerifier({ trustedCerts: this.ca.certChain, untrustedCert: leaf.cert, timestamp }).verify();
    }
    const path = this.sort(leaf);
    this.checker.checkPath(path);
    if (!path.every((cert) => cert.validForDate(timestamp))) {
      throw new VerificationError({ code: 'CERTIFICATE_ERROR', message: 'certificate is not valid or expired at the specified date' });
    }
    return path;
  }

  /** sigstore-js's `sort()`: every path from the leaf, the shortest (the last of equals), root dropped. */
  private sort(leaf: LeafFacts): X509Certificate[] {
    const issuers = this.issuersOf(leaf);
    if (issuers.length === 0) throw new VerificationError({ code: 'CERTIFICATE_ERROR', message: 'no valid certificate path found' });
    const paths: X509Certificate[][] = [];
    for (const issuer of issuers) for (const sub of this.pathsAbove(issuer.cert)) paths.push([issuer.cert, ...sub]);
    // Every path starts at a trusted issuer, so sigstore-js's "contains a trusted certificate" filter keeps them all.
    const path = paths.reduce((prev, curr) => (prev.length < curr.length ? prev : curr));
    return [leaf.cert, ...path].slice(0, -1);
  }

  /** sigstore-js's `findIssuer(leaf)` over the trusted certificates, their keys parsed once. */
  private issuersOf(leaf: LeafFacts): TrustedCert[] {
    const keyIdentifier = leaf.cert.extAuthorityKeyID?.keyIdentifier;
    const candidates = this.trusted.filter((t) => {
      const ski = keyIdentifier ? t.cert.extSubjectKeyID : undefined;
      return ski ? ski.keyIdentifier.equals(keyIdentifier!) : t.cert.subject.equals(leaf.cert.issuer);
    });
    return candidates.filter((t) => leaf.signedBy(t));
  }

  /** sigstore-js's `buildPaths(cert)` for a trusted certificate, memoized (errors too). */
  private pathsAbove(cert: X509Certificate): X509Certificate[][] {
    let paths = this.upward.get(cert);
    if (paths === undefined) {
      try {
        paths = steps(new CertificateChainVerifier({ trustedCerts: this.ca.certChain, untrustedCert: cert, timestamp: new Date(0) })).buildPaths(cert);
      } catch (error) {
        paths = { error };
      }
      this.upward.set(cert, paths);
    }
    if ('error' in paths) throw paths.error;
    return paths;
  }

  /** Whether sigstore-js's search would consider the leaf anywhere but at the bottom. */
  private leafTakesPartAbove(leaf: LeafFacts): boolean {
    const cert = leaf.cert;
    if (cert.subject.equals(cert.issuer)) return true;
    const ski = cert.extSubjectKeyID?.keyIdentifier;
    if (ski && cert.extAuthorityKeyID?.keyIdentifier?.equals(ski)) return true;
    return this.trusted.some((t) => {
      // A leaf equal to a trusted certificate (by DER, as sigstore-js dedupes) shares its key too.
      if (t.spki.equals(leaf.spki)) return true;
      if (t.selfSigned) return false;
      const aki = t.cert.extAuthorityKeyID?.keyIdentifier;
      return aki && ski ? ski.equals(aki) : cert.subject.equals(t.cert.issuer);
    });
  }
}

function dedupe(certs: X509Certificate[]): X509Certificate[] {
  const out: X509Certificate[] = [];
  const ders: Buffer[] = [];
  for (const cert of certs) {
    const der = cert.root.toDER();
    if (!ders.some((d) => d.equals(der))) { out.push(cert); ders.push(der); }
  }
  return out;
}

/**
 * A bundle's leaf certificate, with what its checks need computed once per verification
 * (its key, its signature by each candidate issuer), never shared between bundles.
 */
export class LeafFacts {
  readonly spki: Buffer;
  private tbs: Buffer | undefined;
  private readonly signatures = new Map<TrustedCert, boolean>();

  constructor(readonly cert: X509Certificate) {
    this.spki = cert.publicKey;
  }

  /** `cert.verify(issuer)` as sigstore-js runs it (false on any error), once per issuer per verification. */
  signedBy(issuer: TrustedCert): boolean {
    let ok = this.signatures.get(issuer);
    if (ok === undefined) {
      try {
        this.tbs ??= this.cert.tbsCertificate.toDER();
        ok = issuer.key !== undefined && sigstoreCrypto.verify(this.tbs, issuer.key, this.cert.signatureValue, this.cert.signatureAlgorithm);
      } catch {
        ok = false;
      }
      this.signatures.set(issuer, ok);
    }
    return ok;
  }
}

/**
 * The chain caches of one trust material: a {@link TrustedChain} per CA, keyed by the exact
 * DER bytes of its certificates (a CA object with other bytes is another entry).
 */
export class SharedChainCache {
  private readonly chains = new ByChainBytes((ca) => new TrustedChain(ca));

  /** sigstore-js's `verifyCertificateChain(timestamp, leaf, cas)`, with the trusted paths cached. */
  verifyChain(timestamp: Date, leaf: LeafFacts, cas: CertAuthority[]): X509Certificate[] {
    let error: unknown;
    for (const ca of filterCertAuthorities(cas, timestamp)) {
      try {
        return this.chainOf(ca).verify(leaf, timestamp);
      } catch (err) {
        error = err;
      }
    }
    throw new VerificationError({ code: 'CERTIFICATE_ERROR', message: 'Failed to verify certificate chain', cause: error });
  }

  private chainOf(ca: CertAuthority): TrustedChain {
    return this.chains.of(ca);
  }
}
