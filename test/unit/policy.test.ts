import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { identityPolicyOf, PolicyError, policyFromFlags, readPolicyFile, ToolsealError } from '../../src/internal.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const SUBJECT = 'https://github.com/acme/mcp/.github/workflows/release.yml@refs/tags/v1.0.0';
const pem = (): string => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

async function writePolicy(value: unknown, extra: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'toolseal-policy-'));
  for (const [name, text] of Object.entries(extra)) await writeFile(join(dir, name), text);
  const path = join(dir, 'policy.json');
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolsealError);
  return (err as ToolsealError).code;
}

describe('policy files', () => {
  it('applies fail-closed defaults: exact match, block, public-good, no hidden Unicode', async () => {
    const policy = await readPolicyFile(await writePolicy({ version: 1, identity: { issuer: ISSUER, subject: SUBJECT } }));
    expect(policy).toMatchObject({ match: 'exact', enforce: 'block', trust: { source: 'public-good' }, allowHiddenUnicode: [] });
    expect(identityPolicyOf(policy)).toEqual({ kind: 'keyless', identities: [{ issuer: ISSUER, subject: SUBJECT }] });
  });

  it('accepts a list of identities, any of which may sign', async () => {
    const identity = [{ issuer: ISSUER, subject: SUBJECT }, { issuer: 'https://accounts.google.com', subjectPattern: '[a-z]+@acme\\.com' }];
    const policy = await readPolicyFile(await writePolicy({ version: 1, identity }));
    expect(identityPolicyOf(policy)).toMatchObject({ kind: 'keyless', identities: identity });
  });

  it('refuses unknown fields anywhere (a typo must not silently drop a pin)', async () => {
    const typo = { version: 1, identity: { issuer: ISSUER, subject: SUBJECT, github: { repositoryID: '1' } } };
    const err = await readPolicyFile(await writePolicy(typo)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).code).toBe('POLICY_INVALID');
    expect((err as PolicyError).message).toMatch(/policy\.json.*\/identity/);
    expect(await codeOf(readPolicyFile(await writePolicy({ version: 1, identity: { issuer: ISSUER, subject: SUBJECT }, enforce: 'block', extra: 1 })))).toBe('POLICY_INVALID');
  });

  it('refuses subject and subjectPattern together, neither, or a broken pattern', async () => {
    for (const identity of [{ issuer: ISSUER, subject: SUBJECT, subjectPattern: '.*' }, { issuer: ISSUER }, { issuer: ISSUER, subjectPattern: '(' }]) {
      expect(await codeOf(readPolicyFile(await writePolicy({ version: 1, identity })))).toBe('POLICY_INVALID');
    }
  });

  it('refuses duplicate keys and unknown versions', async () => {
    expect(await codeOf(readPolicyFile(await writePolicy('{"version":1,"version":1,"identity":{"keys":["x"]}}')))).toBe('JSON_DUPLICATE_KEY');
    expect(await codeOf(readPolicyFile(await writePolicy({ version: 2, identity: { issuer: ISSUER, subject: SUBJECT } })))).toBe('POLICY_INVALID');
  });

  it('resolves key files and the trusted root relative to the policy file', async () => {
    const key = pem();
    const path = await writePolicy({ version: 1, identity: { keys: ['signer.pub'] }, trust: { source: 'trusted-root', path: 'root.json' } }, { 'signer.pub': key });
    const policy = await readPolicyFile(path);
    expect(identityPolicyOf(policy)).toEqual({ kind: 'key', keys: [key] });
    expect(policy.trust).toEqual({ source: 'trusted-root', path: join(path, '..', 'root.json') });
  });

  it('refuses a key file that is not a PEM public key', async () => {
    const path = await writePolicy({ version: 1, identity: { keys: ['signer.pub'] } }, { 'signer.pub': 'not a key' });
    expect(await codeOf(readPolicyFile(path))).toBe('POLICY_KEY_UNREADABLE');
  });

  it('validates minVersion and manifestDigest', async () => {
    const base = { version: 1, identity: { issuer: ISSUER, subject: SUBJECT } };
    expect(await codeOf(readPolicyFile(await writePolicy({ ...base, minVersion: 'v1' })))).toBe('POLICY_INVALID');
    expect(await codeOf(readPolicyFile(await writePolicy({ ...base, manifestDigest: 'sha256:abc' })))).toBe('POLICY_INVALID');
    const ok = await readPolicyFile(await writePolicy({ ...base, minVersion: '1.2.3-rc.1', manifestDigest: `sha256:${'a'.repeat(64)}` }));
    expect(ok.minVersion).toBe('1.2.3-rc.1');
  });
});

describe('policy from flags', () => {
  it('builds the same policy as a file would', async () => {
    const policy = await policyFromFlags({
      certificateIdentity: SUBJECT, certificateOidcIssuer: ISSUER, githubRepository: 'acme/mcp', githubRepositoryId: '42',
      githubRef: 'refs/tags/v*', runnerEnvironment: 'github-hosted',
    });
    expect(identityPolicyOf(policy)).toEqual({ kind: 'keyless', identities: [{
      issuer: ISSUER, subject: SUBJECT, github: { repository: 'acme/mcp', repositoryId: '42', ref: 'refs/tags/v*', runnerEnvironment: 'github-hosted' },
    }] });
  });

  it('refuses contradictions and missing identity, naming the flags to use', async () => {
    await expect(policyFromFlags({ certificateIdentity: SUBJECT, certificateIdentityRegexp: '.*', certificateOidcIssuer: ISSUER })).rejects.toMatchObject({ code: 'POLICY_FLAGS_CONFLICT' });
    await expect(policyFromFlags({ key: 'k.pub', certificateIdentity: SUBJECT })).rejects.toMatchObject({ code: 'POLICY_FLAGS_CONFLICT' });
    await expect(policyFromFlags({})).rejects.toMatchObject({ code: 'POLICY_FLAGS_MISSING', message: expect.stringContaining('--certificate-identity') });
    await expect(policyFromFlags({ certificateIdentity: SUBJECT })).rejects.toMatchObject({ code: 'POLICY_FLAGS_MISSING', message: expect.stringContaining('--certificate-oidc-issuer') });
    await expect(policyFromFlags({ certificateOidcIssuer: ISSUER, githubRepositoryId: '42' })).rejects.toMatchObject({ code: 'POLICY_FLAGS_MISSING' });
  });

  it('refuses malformed pins', async () => {
    await expect(policyFromFlags({ certificateIdentity: SUBJECT, certificateOidcIssuer: ISSUER, githubRepositoryId: 'acme' })).rejects.toMatchObject({ code: 'POLICY_INVALID' });
    await expect(policyFromFlags({ certificateIdentity: SUBJECT, certificateOidcIssuer: ISSUER, runnerEnvironment: 'laptop' })).rejects.toMatchObject({ code: 'POLICY_INVALID' });
  });
});
