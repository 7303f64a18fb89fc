import { readFile } from 'node:fs/promises';
import { createPublicKey } from 'node:crypto';
import type { SerializedBundle } from '@sigstore/bundle';
import { PublicKeyDetails } from '@sigstore/protobuf-specs';
import { describe, expect, it } from 'vitest';
import type { TrustedRootJson } from '../../src/testing/index.js';
import { leafCertificate, utf8Extension, verifyBundle } from './local-sigstore.helpers.js';

const dir = new URL('../fixtures/bundles/', import.meta.url);
const json = async <T>(name: string): Promise<T> => JSON.parse(await readFile(new URL(name, dir), 'utf8')) as T;

describe('committed bundle fixtures verify offline, long after signing', () => {
  it('verifies the keyless GitHub bundle and its identity', async () => {
    const [root, bundle] = await Promise.all([json<TrustedRootJson>('trusted_root.json'), json<SerializedBundle>('github-keyless.sigstore.json')]);
    const signer = verifyBundle(bundle, root);
    expect(signer.identity?.subjectAlternativeName).toBe('https://github.com/acme/weather-mcp/.github/workflows/release.yml@refs/heads/main');
    expect(utf8Extension(leafCertificate(bundle), '1.3.6.1.4.1.57264.1.12')).toBe('https://github.com/acme/weather-mcp');
  });

  it('verifies the key-based bundle with its public key', async () => {
    const [root, bundle, pem] = await Promise.all([
      json<TrustedRootJson>('trusted_root.json'),
      json<SerializedBundle>('key-based.sigstore.json'),
      readFile(new URL('key-based.pub.pem', dir), 'utf8'),
    ]);
    const rawBytes = createPublicKey(pem).export({ format: 'der', type: 'spki' });
    const keys = { 'toolseal-fixture-key': { rawBytes, keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256 } };
    expect(() => verifyBundle(bundle, root, keys)).not.toThrow();
  });

  it('rejects the keyless bundle once its payload is altered', async () => {
    const [root, bundle] = await Promise.all([json<TrustedRootJson>('trusted_root.json'), json<SerializedBundle>('github-keyless.sigstore.json')]);
    const payload = JSON.parse(Buffer.from(bundle.dsseEnvelope!.payload, 'base64').toString('utf8'));
    payload.predicate.server.version = '6.6.6';
    const tampered = structuredClone(bundle);
    tampered.dsseEnvelope!.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
    expect(() => verifyBundle(tampered, root)).toThrow();
  });
});
