import { X509Certificate } from '@sigstore/core';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  embeddedPublicGoodSource, matchAnyKeylessIdentity, matchKeylessIdentity, refGlob, signerFromCertificate, verifyBundle,
  ToolsealError, VerificationError, type KeylessIdentityPolicy, type KeylessSignerIdentity,
} from '../../src/internal.js';
import { verifyPrehashed } from '../../src/verify/artifact/prehashed.js';

const VECTORS = join(import.meta.dirname, '..', 'vectors', 'sigstore-conformance', 'bundle-verify');
const ISSUER = 'https://token.actions.githubusercontent.com';
const BEACON = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon';
const bundleJson = (name: string): Record<string, any> => JSON.parse(readFileSync(join(VECTORS, name, 'bundle.sigstore.json'), 'utf8'));
const artifact = new Uint8Array(readFileSync(join(VECTORS, 'a.txt')));

function signer(subject: string, claims: KeylessSignerIdentity['claims'] = {}): KeylessSignerIdentity {
  return { kind: 'keyless', issuer: ISSUER, subject, claims };
}
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VerificationError);
    return (err as VerificationError).code;
  }
  return 'OK';
}

describe('signer identity from a Fulcio certificate', () => {
  it('decodes issuer, SAN and every GitHub claim from the DER extensions', () => {
    const raw = bundleJson('happy-path-v0.3').verificationMaterial.certificate.rawBytes as string;
    const id = signerFromCertificate(X509Certificate.parse(Buffer.from(raw, 'base64')));
    expect(id.issuer).toBe(ISSUER);
    expect(id.subject).toBe(`${BEACON}/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main`);
    expect(id.claims).toMatchObject({
      sourceRepositoryUri: BEACON, sourceRepositoryIdentifier: '632596897', sourceRepositoryOwnerIdentifier: '131804563',
      sourceRepositoryRef: 'refs/heads/main', runnerEnvironment: 'github-hosted', buildTrigger: 'workflow_dispatch',
      buildConfigUri: `${BEACON}/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main`,
    });
  });

  it('verifies a real bundle with GitHub pins, and refuses a wrong repository id', () => {
    const pins = { repository: 'sigstore-conformance/extremely-dangerous-public-oidc-beacon', repositoryId: '632596897', ref: 'refs/heads/*', runnerEnvironment: 'github-hosted' as const };
    const identity = (repositoryId: string): KeylessIdentityPolicy => ({ issuer: ISSUER, subjectPattern: `${BEACON}/.*`, github: { ...pins, repositoryId } });
    return embeddedPublicGoodSource().load().then((trust) => {
      const ok = verifyBundle(bundleJson('happy-path-v0.3'), { identity: { kind: 'keyless', identities: [identity('632596897')] }, trust, artifact });
      expect(ok.signer.kind).toBe('keyless');
      expect(ok.logIndex).toBe('79571823');
      expect(codeOf(() => verifyBundle(bundleJson('happy-path-v0.3'), { identity: { kind: 'keyless', identities: [identity('632596898')] }, trust, artifact }))).toBe('GITHUB_CLAIM_MISMATCH');
    });
  });
});

describe('identity matching', () => {
  const mcp = 'https://github.com/acme/mcp/.github/workflows/release.yml@refs/tags/v1.0.0';
  const mcpServer = 'https://github.com/acme/mcp-server/.github/workflows/release.yml@refs/tags/v1.0.0';

  it('compares subjects exactly: a shared prefix is not the same signer', () => {
    expect(codeOf(() => matchKeylessIdentity(signer(mcpServer), { issuer: ISSUER, subject: 'https://github.com/acme/mcp' }))).toBe('SUBJECT_MISMATCH');
    expect(codeOf(() => matchKeylessIdentity(signer(mcp), { issuer: ISSUER, subject: mcp }))).toBe('OK');
  });

  it('anchors patterns: one that would match unanchored is refused', () => {
    expect(codeOf(() => matchKeylessIdentity(signer(mcpServer), { issuer: ISSUER, subjectPattern: 'https://github\\.com/acme/mcp' }))).toBe('SUBJECT_MISMATCH');
    expect(codeOf(() => matchKeylessIdentity(signer(`https://evil.example/?${mcp}`), { issuer: ISSUER, subjectPattern: 'https://github\\.com/acme/mcp/.*' }))).toBe('SUBJECT_MISMATCH');
    // alternation cannot escape the anchors either
    expect(codeOf(() => matchKeylessIdentity(signer(`${mcp}x`), { issuer: ISSUER, subjectPattern: `x|${mcp.replace(/[.?]/g, '\\$&')}` }))).toBe('SUBJECT_MISMATCH');
    expect(codeOf(() => matchKeylessIdentity(signer(mcp), { issuer: ISSUER, subjectPattern: 'https://github\\.com/acme/mcp/.*' }))).toBe('OK');
  });

  it('compares the issuer exactly', () => {
    const err = (() => { try { matchKeylessIdentity(signer(mcp), { issuer: 'https://token.actions.githubusercontent.co', subject: mcp }); } catch (e) { return e as Error; } })();
    expect(err).toMatchObject({ code: 'ISSUER_MISMATCH' });
    expect(err?.message).toContain('expects "https://token.actions.githubusercontent.co"');
  });

  it('compares GitHub pins with the decoded claims; a missing claim never matches', () => {
    const claims = { sourceRepositoryUri: 'https://github.com/acme/mcp-server', sourceRepositoryIdentifier: '7', sourceRepositoryRef: 'refs/tags/v1.2.0' };
    const base = { issuer: ISSUER, subject: mcpServer };
    expect(codeOf(() => matchKeylessIdentity(signer(mcpServer, claims), { ...base, github: { repository: 'acme/mcp' } }))).toBe('GITHUB_CLAIM_MISMATCH');
    expect(codeOf(() => matchKeylessIdentity(signer(mcpServer, claims), { ...base, github: { repositoryId: '8' } }))).toBe('GITHUB_CLAIM_MISMATCH');
    expect(codeOf(() => matchKeylessIdentity(signer(mcpServer, claims), { ...base, github: { environment: 'production' } }))).toBe('GITHUB_CLAIM_MISMATCH');
    expect(codeOf(() => matchKeylessIdentity(signer(mcpServer, claims), { ...base, github: { repository: 'acme/mcp-server', repositoryId: '7', ref: 'refs/tags/v*' } }))).toBe('OK');
  });

  it('ref globs: only * is special, and anchored', () => {
    expect(refGlob('refs/tags/v*').test('refs/tags/v1.0.0')).toBe(true);
    expect(refGlob('refs/tags/v*').test('refs/heads/refs/tags/v1')).toBe(false);
    expect(refGlob('refs/tags/v1.0').test('refs/tags/v1x0')).toBe(false);
    expect(refGlob('refs/heads/main').test('refs/heads/main2')).toBe(false);
  });

  it('accepts any one of several identities and reports each mismatch otherwise', () => {
    const ids = [{ issuer: ISSUER, subject: mcp }, { issuer: ISSUER, subject: mcpServer }];
    expect(matchAnyKeylessIdentity(signer(mcpServer), ids)).toEqual(ids[1]);
    expect(codeOf(() => matchAnyKeylessIdentity(signer('https://github.com/acme/other'), ids))).toBe('IDENTITY_MISMATCH');
  });
});

describe('trust and keys', () => {
  it('refuses a bundle from another Sigstore instance (staging bundle, public-good root)', async () => {
    const trust = await embeddedPublicGoodSource().load();
    const identity = { kind: 'keyless' as const, identities: [{ issuer: ISSUER, subjectPattern: '.*' }] };
    expect(codeOf(() => verifyBundle(bundleJson('bundle-from-wrong-instance_fail'), { identity, trust, artifact }))).toBe('CERTIFICATE_CHAIN_INVALID');
  });

  it('refuses a key-signed bundle with a different key', async () => {
    const trust = await embeddedPublicGoodSource().load();
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const right = readFileSync(join(VECTORS, 'managed-key-happy-path', 'key.pub'), 'utf8');
    const verify = (keys: string[]) => () => verifyBundle(bundleJson('managed-key-happy-path'), { identity: { kind: 'key', keys }, trust, artifact });
    expect(codeOf(verify([other]))).toBe('KEY_SIGNATURE_INVALID');
    expect(codeOf(verify([other, right]))).toBe('OK');
  });

  it('a failing key signature says "altered" or "another key" from the bundle\'s key hint, never "wrong signer"', async () => {
    const trust = await embeddedPublicGoodSource().load();
    const right = readFileSync(join(VECTORS, 'managed-key-happy-path', 'key.pub'), 'utf8');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    // No log entry or timestamp (key policies need none), and one signature byte changed.
    const bundle = bundleJson('managed-key-happy-path') as { verificationMaterial: Record<string, unknown>; messageSignature: { signature: string } };
    bundle.verificationMaterial = { publicKey: bundle.verificationMaterial.publicKey, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [] } };
    const sig = Buffer.from(bundle.messageSignature.signature, 'base64');
    sig[sig.length - 3]! ^= 1;
    bundle.messageSignature.signature = sig.toString('base64');
    const failure = (keys: string[]) => { try { verifyBundle(bundle, { identity: { kind: 'key', keys }, trust, artifact }); } catch (err) { return err as ToolsealError; } throw new Error('verified'); };
    expect(failure([right])).toMatchObject({ code: 'KEY_SIGNATURE_INVALID', message: expect.stringMatching(/the bundle says the policy's key sha256:[0-9a-f]{64} signed it, so its content was altered/) });
    expect(failure([other])).toMatchObject({ code: 'KEY_SIGNATURE_INVALID', message: expect.stringMatching(/names the key .*not one of the policy's, so another key signed it, or the bundle was altered/) });
  });
});

describe('prehashed signature check (artifact given as sha256 only)', () => {
  for (const namedCurve of ['P-256', 'P-384']) {
    it(`agrees with Node's ECDSA ${namedCurve} signer and refuses tampering`, () => {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve });
      for (let i = 0; i < 5; i++) {
        const message = Buffer.from(`message ${i}`);
        const digest = createHash('sha256').update(message).digest();
        const signature = sign('sha256', message, privateKey);
        expect(verifyPrehashed(publicKey, digest, signature)).toBe(true);
        const flipped = Buffer.from(digest);
        flipped[0]! ^= 1;
        expect(verifyPrehashed(publicKey, flipped, signature)).toBe(false);
        expect(verifyPrehashed(publicKey, digest, Buffer.from(signature).subarray(0, signature.length - 1))).toBe(false);
      }
    });
  }

  it('agrees with Node for RSA PKCS#1 v1.5', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const digest = createHash('sha256').update('m').digest();
    expect(verifyPrehashed(publicKey, digest, sign('sha256', Buffer.from('m'), privateKey))).toBe(true);
    expect(verifyPrehashed(publicKey, digest, sign('sha256', Buffer.from('n'), privateKey))).toBe(false);
  });
});
