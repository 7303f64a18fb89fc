// @peculiar/x509 depends on tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { createHash, createPublicKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { LocalCtLog, sctList } from './ct-log.js';
import { derOctetString, derUtf8String, firstElement } from './der.js';
import type { CertifiedIdentity } from './fulcio-claims.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
// @peculiar/x509 takes a WebCrypto provider; Node's own implementation is one.
const crypto = webcrypto;
const ROOT_NAME = 'CN=toolseal-local-fulcio,O=toolseal.testing';
const ECDSA_P384_SHA384 = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as const;
const OID_SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';
const MS_PER_MINUTE = 60_000;
const MS_PER_YEAR = 365 * 24 * 60 * MS_PER_MINUTE;

/** Whole seconds: X.509 and RFC 3161 times have second precision here, so every clock agrees. */
export const wholeSecond = (ms: number = Date.now()): Date => new Date(Math.floor(ms / 1000) * 1000);

/**
 * The local Fulcio CA: a self-signed P-384 root that issues 10-minute leaf certificates,
 * each carrying an embedded SCT from {@link LocalCtLog}, like Fulcio's public instance.
 */
export class LocalFulcioCa {
  readonly rootDer: Buffer;
  readonly notBefore: Date;
  readonly ctLog: LocalCtLog;
  readonly #keys: CryptoKeyPair;
  readonly #rootKeyHash: Buffer;

  private constructor(rootDer: Buffer, keys: CryptoKeyPair, notBefore: Date, ctLog: LocalCtLog) {
    this.rootDer = rootDer;
    this.#keys = keys;
    this.notBefore = notBefore;
    this.ctLog = ctLog;
    const rootSpki = new X509Certificate(rootDer).publicKey.export({ format: 'der', type: 'spki' });
    this.#rootKeyHash = createHash('sha256').update(rootSpki).digest();
  }

  /** Generates the root key and certificate (valid from a minute ago, for a year). */
  static async create(ctLog: LocalCtLog = new LocalCtLog()): Promise<LocalFulcioCa> {
    const keys = (await crypto.subtle.generateKey(ECDSA_P384_SHA384, true, ['sign', 'verify'])) as CryptoKeyPair;
    const notBefore = wholeSecond(Date.now() - MS_PER_MINUTE);
    const root = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: randomSerial(),
        name: ROOT_NAME,
        notBefore,
        notAfter: new Date(notBefore.getTime() + MS_PER_YEAR),
        signingAlgorithm: ECDSA_P384_SHA384,
        keys,
        extensions: [
          new x509.BasicConstraintsExtension(true, 1, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        ],
      },
      crypto,
    );
    return new LocalFulcioCa(Buffer.from(root.rawData), keys, notBefore, ctLog);
  }

  /**
   * Issues a leaf certificate for `publicKeyPem` naming `identity`. The SCT is computed over the
   * TBS without the SCT extension, which is what verifiers reconstruct (RFC 6962 §3.2).
   */
  async issue(publicKeyPem: string, identity: CertifiedIdentity): Promise<Buffer> {
    const publicKey = await importLeafKey(publicKeyPem);
    const notBefore = wholeSecond();
    const base = {
      serialNumber: randomSerial(),
      subject: '',
      issuer: ROOT_NAME,
      notBefore,
      notAfter: new Date(notBefore.getTime() + 10 * MS_PER_MINUTE),
      publicKey,
      signingKey: this.#keys.privateKey,
      signingAlgorithm: ECDSA_P384_SHA384,
    };
    const extensions = await this.#leafExtensions(publicKey, identity);
    const precert = await x509.X509CertificateGenerator.create({ ...base, extensions }, crypto);
    const tbs = firstElement(Buffer.from(precert.rawData));
    const sct = this.ctLog.issueSct(tbs, this.#rootKeyHash, notBefore.getTime());
    const sctExtension = new x509.Extension(OID_SCT_LIST, false, derOctetString(sctList([sct])));
    const cert = await x509.X509CertificateGenerator.create({ ...base, extensions: [...extensions, sctExtension] }, crypto);
    return Buffer.from(cert.rawData);
  }

  async #leafExtensions(publicKey: CryptoKey, identity: CertifiedIdentity): Promise<x509.Extension[]> {
    // Fulcio certificates have an empty subject, so the SAN is critical (RFC 5280 §4.2.1.6).
    return [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
      await x509.SubjectKeyIdentifierExtension.create(publicKey, false, crypto),
      await x509.AuthorityKeyIdentifierExtension.create(this.#keys.publicKey, false, crypto),
      new x509.SubjectAlternativeNameExtension([{ type: identity.san.type, value: identity.san.value }], true),
      ...identity.extensions.map(
        (ext) => new x509.Extension(ext.oid, false, ext.legacy ? Buffer.from(ext.value, 'utf8') : derUtf8String(ext.value)),
      ),
    ];
  }
}

/** Imports an EC public key (any of the NIST curves sigstore-js may use) as a WebCrypto key. */
async function importLeafKey(pem: string): Promise<CryptoKey> {
  const key = createPublicKey(pem);
  const curve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[
    key.asymmetricKeyDetails?.namedCurve ?? ''
  ];
  if (key.asymmetricKeyType !== 'ec' || curve === undefined) {
    throw new Error('public key must be an ECDSA key on P-256, P-384 or P-521');
  }
  const spki = key.export({ format: 'der', type: 'spki' });
  return crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: curve }, true, ['verify']);
}

/** A positive 20-byte serial number, as CAs are asked to use (CA/B BR 7.1). */
function randomSerial(): string {
  const bytes = randomBytes(20);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}
