import { bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { DSSEBundleBuilder, RekorWitness, TSAWitness, type Signer, type Witness } from '@sigstore/sign';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { IN_TOTO_PAYLOAD_TYPE } from '../attest/statement.js';
import { SigningError } from '../errors.js';
import { readTextFile, writeFileAtomic } from '../io/files.js';
import type { ManifestSigner } from './signer.js';
import { toSigningError } from './sigstore-errors.js';

/** Options for {@link createKeySigner}. */
export interface KeySignerOptions {
  /** PEM of an ECDSA P-256 private key (PKCS#8 or SEC1). */
  privateKeyPem: string;
  /** Passphrase for an encrypted PEM. */
  passphrase?: string;
  /** Where the key came from, for messages. */
  source?: string;
  /** Optional RFC 3161 timestamp authority, so the signing time is attested. */
  tsaURL?: string;
  /** Optional Rekor (e.g. a private instance); off by default for private infrastructure. */
  rekorURL?: string;
  timeoutMs?: number;
}

/**
 * Key-based signing for private infrastructure without Fulcio: the bundle carries a
 * public-key hint (the SHA-256 of the key's SPKI) instead of a certificate, and the
 * verifier's policy names the public key.
 */
export function createKeySigner(options: KeySignerOptions): ManifestSigner {
  const source = options.source ?? 'the signing key';
  const privateKey = loadP256PrivateKey(options.privateKeyPem, options.passphrase, source);
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const signer: Signer = {
    sign: async (data: Buffer) => ({
      signature: cryptoSign('sha256', data, privateKey),
      key: { $case: 'publicKey', publicKey: publicKeyPem, hint: publicKeyHint(publicKeyPem) },
    }),
  };
  const fetchOptions = { timeout: options.timeoutMs ?? 30_000, retry: { retries: 2 } };
  const witnesses: Witness[] = [];
  if (options.rekorURL) witnesses.push(new RekorWitness({ rekorBaseURL: options.rekorURL, entryType: 'dsse', fetchOnConflict: false, ...fetchOptions }));
  if (options.tsaURL) witnesses.push(new TSAWitness({ tsaBaseURL: options.tsaURL, ...fetchOptions }));
  const builder = new DSSEBundleBuilder({ signer, witnesses });
  return {
    publicKeyPem,
    description: `key ${publicKeyHint(publicKeyPem).slice(0, 16)}…${options.tsaURL ? ` with TSA ${options.tsaURL}` : ''}`,
    async signStatement(payload: Buffer): Promise<SerializedBundle> {
      try {
        return bundleToJSON(await builder.create({ data: payload, type: IN_TOTO_PAYLOAD_TYPE }));
      } catch (err) {
        throw toSigningError(err);
      }
    },
  };
}

/** Reads a private key file and builds a key signer from it. */
export async function createKeySignerFromFile(path: string, options: Omit<KeySignerOptions, 'privateKeyPem' | 'source'> = {}): Promise<ManifestSigner> {
  return createKeySigner({ ...options, privateKeyPem: await readTextFile(path), source: path });
}

/** The key hint toolseal writes into bundles: lowercase hex SHA-256 of the DER SPKI. */
export function publicKeyHint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

function loadP256PrivateKey(pem: string, passphrase: string | undefined, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(passphrase ? { key: pem, passphrase } : pem);
  } catch (err) {
    throw new SigningError('SIGNING_KEY_INVALID', `${source} is not a readable PEM private key${passphrase ? ' (or the passphrase is wrong)' : ''}. Generate one with: openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt.`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new SigningError('KEY_UNSUPPORTED', `${source} is a ${key.asymmetricKeyType} key${key.asymmetricKeyDetails?.namedCurve ? ` on ${key.asymmetricKeyDetails.namedCurve}` : ''}; toolseal signs with ECDSA P-256 keys only.`);
  }
  return key;
}

/** A new ECDSA P-256 key pair as PEM (PKCS#8 private, SPKI public). */
export function generateKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * Writes a new key pair to `<prefix>.pem` (mode 0600) and `<prefix>.pub.pem`, refusing
 * to overwrite an existing private key: losing one silently is worse than an error.
 */
export async function writeKeyPair(prefix: string): Promise<{ privateKeyPath: string; publicKeyPath: string; fingerprint: string }> {
  const privateKeyPath = `${prefix}.pem`;
  const publicKeyPath = `${prefix}.pub.pem`;
  if (existsSync(privateKeyPath)) {
    throw new SigningError('KEY_EXISTS', `${privateKeyPath} already exists; toolseal will not overwrite a private key. Choose another name or remove it yourself.`);
  }
  const pair = generateKeyPair();
  await writeFileAtomic(privateKeyPath, pair.privateKeyPem, { mode: 0o600 });
  await writeFileAtomic(publicKeyPath, pair.publicKeyPem);
  return { privateKeyPath, publicKeyPath, fingerprint: `sha256:${publicKeyHint(pair.publicKeyPem)}` };
}
