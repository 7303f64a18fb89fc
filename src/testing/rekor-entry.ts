import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { canonicalBytes, sha256Hex } from '../manifest/canonical.js';

/**
 * Turns a proposed Rekor v1 entry into the canonical body Rekor stores, checking signatures
 * the way Rekor does. The point of this file: a proposed `dsse` entry is *not* its canonical
 * form (Rekor replaces the envelope by hashes and signature/verifier pairs, which is what
 * @sigstore/verify reads), and @sigstore/mock's log stores it verbatim.
 */
export function canonicalizeProposedEntry(proposed: unknown): Buffer {
  const entry = proposed as { kind?: unknown; apiVersion?: unknown; spec?: any };
  const kind = `${String(entry.kind)}/${String(entry.apiVersion)}`;
  switch (kind) {
    case 'dsse/0.0.1':
      return canonicalBytesOf(dsseBody(entry.spec));
    case 'intoto/0.0.2':
      return canonicalBytesOf(intotoBody(entry.spec));
    case 'hashedrekord/0.0.1':
      // node:crypto cannot verify ECDSA over a prehashed digest, so the signature is taken as is.
      return canonicalBytesOf({ apiVersion: '0.0.1', kind: 'hashedrekord', spec: entry.spec });
    default:
      throw new Error(`unsupported entry type ${kind}; this log accepts dsse/0.0.1, intoto/0.0.2 and hashedrekord/0.0.1`);
  }
}

const canonicalBytesOf = (value: unknown): Buffer => Buffer.from(canonicalBytes(value));

/** DSSE pre-authentication encoding (DSSE v1 protocol). */
function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

function verifierKey(pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch {
    throw new Error('verifier is neither a PEM public key nor a PEM certificate');
  }
}

function verifies(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const algorithm = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  return verify(algorithm, data, key, signature);
}

function dsseBody(spec: any): unknown {
  const envelopeJson: unknown = spec?.proposedContent?.envelope;
  const verifiers: unknown = spec?.proposedContent?.verifiers;
  if (typeof envelopeJson !== 'string' || !Array.isArray(verifiers) || verifiers.length === 0) {
    throw new Error('dsse entry needs proposedContent.envelope (a JSON string) and verifiers');
  }
  const envelope = JSON.parse(envelopeJson) as { payloadType: string; payload: string; signatures: { sig: string }[] };
  const payload = Buffer.from(envelope.payload, 'base64');
  const signed = pae(envelope.payloadType, payload);
  const keys = verifiers.map((v: string) => ({ pem: Buffer.from(v, 'base64').toString('utf8'), b64: v }));
  const signatures = envelope.signatures.map(({ sig }) => {
    const match = keys.find((k) => verifies(verifierKey(k.pem), signed, Buffer.from(sig, 'base64')));
    if (!match) throw new Error('a DSSE signature does not verify with any of the given verifiers');
    return { signature: sig, verifier: match.b64 };
  });
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      // Hash the envelope's JCS form, not the submitted text, so the same envelope is one entry.
      envelopeHash: { algorithm: 'sha256', value: sha256Hex(canonicalBytes(envelope)) },
      payloadHash: { algorithm: 'sha256', value: sha256Hex(payload) },
      signatures,
    },
  };
}

function intotoBody(spec: any): unknown {
  const envelope = spec?.content?.envelope;
  if (!envelope || !Array.isArray(envelope.signatures) || envelope.signatures.length === 0) {
    throw new Error('intoto entry needs content.envelope with signatures');
  }
  // intoto v0.0.2 double-encodes payload, signature and key in base64.
  const payload = Buffer.from(Buffer.from(envelope.payload, 'base64').toString('utf8'), 'base64');
  const signed = pae(envelope.payloadType, payload);
  for (const s of envelope.signatures as { sig: string; publicKey: string }[]) {
    const key = verifierKey(Buffer.from(s.publicKey, 'base64').toString('utf8'));
    const sig = Buffer.from(Buffer.from(s.sig, 'base64').toString('utf8'), 'base64');
    if (!verifies(key, signed, sig)) throw new Error('an intoto envelope signature does not verify with its public key');
  }
  // Rekor keeps the hashes and the envelope's signatures, not the payload itself.
  const { payload: _dropped, ...kept } = envelope;
  return {
    apiVersion: '0.0.2',
    kind: 'intoto',
    spec: {
      content: {
        envelope: kept,
        hash: spec.content.hash,
        payloadHash: { algorithm: 'sha256', value: sha256Hex(payload) },
      },
    },
  };
}
