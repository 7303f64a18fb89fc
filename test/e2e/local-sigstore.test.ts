import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attest } from 'sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GITHUB_ACTIONS_ISSUER,
  TRUSTED_ROOT_MEDIA_TYPE,
  generateSigningKey,
  startGitHubActionsTokenEndpoint,
  startLocalSigstore,
  type LocalSigstore,
} from '../../src/testing/index.js';
import { signJwt } from '../../src/testing/jwt.js';
import {
  IN_TOTO,
  leafCertificate,
  signWithKey,
  statementBytes,
  trustedKey,
  utf8Extension,
  verifyBundle,
} from './local-sigstore.helpers.js';

const FULCIO = '1.3.6.1.4.1.57264.1';

describe('local Sigstore on loopback', () => {
  let local: LocalSigstore;
  let other: LocalSigstore;
  beforeAll(async () => {
    [local, other] = await Promise.all([startLocalSigstore(), startLocalSigstore()]);
  });
  afterAll(async () => {
    await Promise.all([local?.close(), other?.close()]);
  });

  const signKeyless = (token = local.mintIdentityToken()) =>
    attest(statementBytes(), IN_TOTO, {
      fulcioURL: local.fulcioURL,
      rekorURL: local.rekorURL,
      tsaServerURL: local.tsaURL,
      identityToken: token,
      retry: 0,
    });

  it('serves each service on its own 127.0.0.1 port', () => {
    const urls = [local.fulcioURL, local.rekorURL, local.tsaURL].map((u) => new URL(u));
    expect(urls.every((u) => u.hostname === '127.0.0.1')).toBe(true);
    expect(new Set(urls.map((u) => u.port)).size).toBe(3);
    expect(local.trustedRoot.mediaType).toBe(TRUSTED_ROOT_MEDIA_TYPE);
  });

  it('signs a DSSE in-toto statement keylessly and verifies it with the strict defaults', async () => {
    const bundle = await signKeyless();
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    const signer = verifyBundle(bundle, local.trustedRoot);
    expect(signer.identity?.subjectAlternativeName).toBe(
      'https://github.com/acme/weather-mcp/.github/workflows/release.yml@refs/heads/main',
    );
    expect(signer.identity?.extensions?.issuer).toBe(GITHUB_ACTIONS_ISSUER);
    const tlog = bundle.verificationMaterial.tlogEntries[0];
    expect(tlog?.kindVersion).toEqual({ kind: 'dsse', version: '0.0.1' });
    expect(tlog?.inclusionPromise?.signedEntryTimestamp).toBeTruthy();
    expect(tlog?.inclusionProof?.checkpoint.envelope).toContain(new URL(local.rekorURL).host);
    expect(bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps).toHaveLength(1);
  });

  it('puts the GitHub Actions claims into the certificate as Fulcio does', async () => {
    const token = local.mintIdentityToken({ environment: 'production', repository_visibility: 'private' });
    const cert = leafCertificate(await signKeyless(token));
    expect(cert.extension(`${FULCIO}.1`)?.value.toString('utf8')).toBe(GITHUB_ACTIONS_ISSUER);
    expect(utf8Extension(cert, `${FULCIO}.8`)).toBe(GITHUB_ACTIONS_ISSUER);
    expect(utf8Extension(cert, `${FULCIO}.9`)).toBe(
      'https://github.com/acme/weather-mcp/.github/workflows/release.yml@refs/heads/main',
    );
    expect(utf8Extension(cert, `${FULCIO}.11`)).toBe('github-hosted');
    expect(utf8Extension(cert, `${FULCIO}.12`)).toBe('https://github.com/acme/weather-mcp');
    expect(utf8Extension(cert, `${FULCIO}.14`)).toBe('refs/heads/main');
    expect(utf8Extension(cert, `${FULCIO}.15`)).toBe('812345678');
    expect(utf8Extension(cert, `${FULCIO}.16`)).toBe('https://github.com/acme');
    expect(utf8Extension(cert, `${FULCIO}.17`)).toBe('1234567');
    expect(utf8Extension(cert, `${FULCIO}.20`)).toBe('push');
    expect(utf8Extension(cert, `${FULCIO}.21`)).toBe('https://github.com/acme/weather-mcp/actions/runs/9876543210/attempts/1');
    expect(utf8Extension(cert, `${FULCIO}.22`)).toBe('private');
    expect(utf8Extension(cert, `${FULCIO}.23`)).toBe('production');
  });

  it('keeps a growing Merkle log whose inclusion proofs still verify', async () => {
    const bundles = [await signKeyless(), await signKeyless()];
    const last = bundles[1]!.verificationMaterial.tlogEntries[0]!;
    expect(Number(last.inclusionProof?.treeSize)).toBeGreaterThan(2);
    expect(last.inclusionProof?.hashes.length).toBeGreaterThan(0);
    for (const bundle of bundles) expect(() => verifyBundle(bundle, local.trustedRoot)).not.toThrow();
  });

  it('certifies an email identity from a custom issuer', async () => {
    const custom = await startLocalSigstore({ issuer: 'https://issuer.example.test' });
    try {
      const bundle = await attest(statementBytes(), IN_TOTO, {
        fulcioURL: custom.fulcioURL,
        rekorURL: custom.rekorURL,
        tsaServerURL: custom.tsaURL,
        identityToken: custom.mintIdentityToken({ email: 'dev@example.test', email_verified: true }),
      });
      const signer = verifyBundle(bundle, custom.trustedRoot);
      expect(signer.identity?.subjectAlternativeName).toBe('dev@example.test');
      expect(signer.identity?.extensions?.issuer).toBe('https://issuer.example.test');
    } finally {
      await custom.close();
    }
  });

  it('refuses a token signed by another key', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const now = Math.floor(Date.now() / 1000);
    const forged = signJwt(
      { iss: GITHUB_ACTIONS_ISSUER, aud: 'sigstore', sub: 'repo:evil/x:ref:refs/heads/main', job_workflow_ref: 'evil/x/.github/workflows/a.yml@refs/heads/main', iat: now, exp: now + 300 },
      privateKey,
      'forged',
    );
    await expect(signKeyless(forged)).rejects.toMatchObject({ code: 'CA_CREATE_SIGNING_CERTIFICATE_ERROR' });
    await expect(signKeyless(forged)).rejects.toThrow(/does not verify against the issuer key/);
  });

  it('refuses a token for another audience or another local issuer', async () => {
    await expect(signKeyless(local.mintIdentityToken({ aud: 'not-sigstore' }))).rejects.toThrow(/audience/);
    await expect(signKeyless(other.mintIdentityToken())).rejects.toThrow(/does not verify/);
  });

  it('refuses a proof of possession made with a different key', async () => {
    const token = local.mintIdentityToken();
    const wanted = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const prover = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const subject = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
    const response = await fetch(`${local.fulcioURL}/api/v2/signingCert`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        credentials: { oidcIdentityToken: token },
        publicKeyRequest: {
          publicKey: { algorithm: 'ECDSA', content: wanted.publicKey.export({ format: 'pem', type: 'spki' }) },
          proofOfPossession: sign('sha256', Buffer.from(subject), prover.privateKey).toString('base64'),
        },
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/proof of possession/);
  });

  it('fails verification against a different trusted root', async () => {
    const bundle = await signKeyless();
    expect(() => verifyBundle(bundle, other.trustedRoot)).toThrow();
    expect(() => verifyBundle(bundle, local.trustedRoot)).not.toThrow();
  });

  it('signs with a plain key, witnessed by Rekor and the TSA, and verifies with that key only', async () => {
    const key = generateSigningKey();
    const bundle = await signWithKey(local, key, 'release-key');
    expect(bundle.verificationMaterial).toMatchObject({ publicKey: { hint: 'release-key' } });
    expect(() => verifyBundle(bundle, local.trustedRoot, { 'release-key': trustedKey(key) })).not.toThrow();
    const stranger = generateSigningKey();
    expect(() => verifyBundle(bundle, local.trustedRoot, { 'release-key': trustedKey(stranger) })).toThrow();
    expect(() => verifyBundle(bundle, local.trustedRoot, {})).toThrow(/key not found/);
  });

  it('rejects a DSSE entry whose signature does not verify, and answers 409 for a duplicate', async () => {
    const key = generateSigningKey();
    const envelope = { payloadType: IN_TOTO, payload: statementBytes().toString('base64'), signatures: [{ keyid: '', sig: Buffer.from('bogus').toString('base64') }] };
    const entry = (env: unknown) => ({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: { proposedContent: { envelope: JSON.stringify(env), verifiers: [Buffer.from(key.publicKeyPem).toString('base64')] } },
    });
    const post = (body: unknown) =>
      fetch(`${local.rekorURL}/api/v1/log/entries`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post(entry(envelope))).status).toBe(400);

    const bundle = await signWithKey(local, key, 'k');
    const dsse = bundle.dsseEnvelope!;
    const signed = { payloadType: dsse.payloadType, payload: dsse.payload, signatures: dsse.signatures };
    const duplicate = await post(entry(signed));
    expect(duplicate.status).toBe(409);
    const again = await fetch(new URL(duplicate.headers.get('location')!, local.rekorURL));
    expect(again.status).toBe(200);
  });

  it('writes the trusted root as JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolseal-root-'));
    try {
      await local.writeTrustedRoot(join(dir, 'trusted_root.json'));
      const written = JSON.parse(await readFile(join(dir, 'trusted_root.json'), 'utf8'));
      expect(written).toEqual(local.trustedRoot);
      expect(Object.keys(written).sort()).toEqual(['certificateAuthorities', 'ctlogs', 'mediaType', 'timestampAuthorities', 'tlogs']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('GitHub Actions OIDC token endpoint', () => {
  let local: LocalSigstore;
  beforeAll(async () => {
    local = await startLocalSigstore();
  });
  afterAll(async () => {
    await local?.close();
  });

  it('refuses a wrong bearer token with 401', async () => {
    const endpoint = await startGitHubActionsTokenEndpoint(local, {});
    try {
      const wrong = await fetch(`${endpoint.url}&audience=sigstore`, { headers: { Authorization: 'bearer nope' } });
      expect(wrong.status).toBe(401);
      const none = await fetch(`${endpoint.url}&audience=sigstore`);
      expect(none.status).toBe(401);
    } finally {
      await endpoint.close();
    }
  });

  it("feeds sigstore-js's ambient GitHub Actions provider a token that Fulcio certifies", async () => {
    const endpoint = await startGitHubActionsTokenEndpoint(local, { repository: 'acme/other', repository_owner: 'acme' });
    const saved = { url: process.env.ACTIONS_ID_TOKEN_REQUEST_URL, token: process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN };
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = endpoint.url;
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = endpoint.requestToken;
    try {
      const bundle = await attest(statementBytes(), IN_TOTO, {
        fulcioURL: local.fulcioURL,
        rekorURL: local.rekorURL,
        tsaServerURL: local.tsaURL,
      });
      verifyBundle(bundle, local.trustedRoot);
      expect(utf8Extension(leafCertificate(bundle), `${FULCIO}.12`)).toBe('https://github.com/acme/other');
    } finally {
      restore('ACTIONS_ID_TOKEN_REQUEST_URL', saved.url);
      restore('ACTIONS_ID_TOKEN_REQUEST_TOKEN', saved.token);
      await endpoint.close();
    }
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
