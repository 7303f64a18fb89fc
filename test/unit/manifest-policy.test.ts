import { describe, expect, it } from 'vitest';
import { checkManifestPolicy, manifestDigest, VerificationError } from '../../src/internal.js';
import { sampleManifest } from '../helpers/manifests.js';

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(VerificationError);
    return (err as VerificationError).code;
  }
}

describe('which signed manifest a policy accepts', () => {
  const manifest = sampleManifest();
  const digest = manifestDigest(manifest);

  it('accepts the manifest when every pin holds', () => {
    expect(codeOf(() => checkManifestPolicy(manifest, digest, { serverName: 'acme-weather', minVersion: '1.4.0', manifestDigest: digest }))).toBeUndefined();
  });

  it('refuses a manifest signed for another server (serverName)', () => {
    expect(codeOf(() => checkManifestPolicy(manifest, digest, { serverName: 'acme-weather-pro' }))).toBe('SERVER_NAME_MISMATCH');
  });

  it('refuses an older server version (rollback), comparing as semver not as text', () => {
    expect(codeOf(() => checkManifestPolicy(manifest, digest, { minVersion: '1.10.0' }))).toBe('ROLLBACK');
    expect(codeOf(() => checkManifestPolicy(sampleManifest({ server: { name: 'acme-weather', version: '1.10.0' } }), digest, { minVersion: '1.9.0' }))).toBeUndefined();
  });

  it('refuses a version that is not semver when a minimum is set', () => {
    expect(codeOf(() => checkManifestPolicy(sampleManifest({ server: { name: 'acme-weather', version: 'latest' } }), digest, { minVersion: '1.0.0' }))).toBe('ROLLBACK');
  });

  it('refuses another manifest than the pinned digest', () => {
    expect(codeOf(() => checkManifestPolicy(manifest, digest, { manifestDigest: `sha256:${'0'.repeat(64)}` }))).toBe('MANIFEST_DIGEST_MISMATCH');
  });
});
