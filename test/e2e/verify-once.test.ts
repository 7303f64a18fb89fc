import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  captureServer, createKeySigner, createManifestVerifier, emptyTrustMaterial, generateKeyPair, jsonDigest, signManifest,
  VerdictSchema, type Policy, type ServerTarget, type TrustSource,
} from '../../src/internal.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'servers');
const server: ServerTarget = { kind: 'stdio', command: process.execPath, args: [join(FIXTURES, 'paginated.mjs')] };
/** A pinned key needs no authority: no network, no TUF. */
const noAuthority: TrustSource = { description: 'no trust material (test)', load: async () => emptyTrustMaterial() };

/** A key-signed bundle of the paginated fixture's manifest, and a policy pinning that key. */
async function keySigned(): Promise<{ signed: Awaited<ReturnType<typeof signManifest>>; policy: Policy }> {
  const key = generateKeyPair();
  const signed = await signManifest(await captureServer(server), createKeySigner({ privateKeyPem: key.privateKeyPem }));
  const policy: Policy = {
    version: 1, identity: { keys: [key.publicKeyPem] }, trust: { source: 'public-good' },
    match: 'exact', enforce: 'block', allowHiddenUnicode: [], allowModelVisibleExclude: [],
  };
  return { signed, policy };
}

describe('data flows one way through verification', () => {
  it('verifyServer verifies the bundle once, and the verdict carries the attestation outside its format', async () => {
    const key = generateKeyPair();
    const manifest = await captureServer(server);
    const signed = await signManifest(manifest, createKeySigner({ privateKeyPem: key.privateKeyPem }));
    expect(signed.signedBy).toMatchObject({ kind: 'key' });
    const policy: Policy = {
      version: 1, identity: { keys: [key.publicKeyPem] }, trust: { source: 'public-good' },
      match: 'exact', enforce: 'block', allowHiddenUnicode: [], allowModelVisibleExclude: [],
    };
    const verifier = await createManifestVerifier({ policy, trustSource: noAuthority });
    const verdict = await verifier.verifyServer(signed.bundle, server);
    expect(verdict.ok).toBe(true);
    expect(verifier.cacheStats).toMatchObject({ misses: 1, hits: 0 });
    expect(verdict.attestation?.digest).toBe(signed.digest);
    expect(verdict.attestation?.manifest).toEqual(manifest);
    // Not part of the verdict format: JSON never carries it, and the strict schema accepts the verdict.
    expect(JSON.parse(JSON.stringify(verdict))).not.toHaveProperty('attestation');
    expect(VerdictSchema.safeParse(verdict).success).toBe(true);

    const refused = await createManifestVerifier({ policy: { ...policy, identity: { keys: [generateKeyPair().publicKeyPem] } }, trustSource: noAuthority });
    const wrongKey = await refused.verifyServer(signed.bundle, server);
    expect(wrongKey).toMatchObject({ ok: false, compared: 'live-server', problems: [{ code: 'KEY_SIGNATURE_INVALID' }] });
    expect(wrongKey.attestation).toBeUndefined();
  });

  it('the bundle digest is of the bundle as verified, even when the caller changes its object afterwards', async () => {
    const { signed, policy } = await keySigned();
    const bundle = JSON.parse(JSON.stringify(signed.bundle)) as Record<string, any>;
    const expected = jsonDigest(bundle);
    const attestation = (await createManifestVerifier({ policy, trustSource: noAuthority })).verifyAttestation(bundle);
    bundle.dsseEnvelope.signatures[0].keyid = 'changed after verification';
    bundle.extra = { added: true };
    expect(attestation.bundleDigest).toBe(expected);
    expect({ ...attestation }.bundleDigest).toBe(expected);
  });

  it('a cached bundle is a hit only when it equals the verified one: the same signature over an altered payload is verified, and refused', async () => {
    const { signed, policy } = await keySigned();
    const verifier = await createManifestVerifier({ policy, trustSource: noAuthority });
    const bundle = JSON.parse(JSON.stringify(signed.bundle)) as Record<string, any>;
    const first = verifier.verifyAttestation(bundle);
    // An equal copy, members reordered: a hit.
    const { dsseEnvelope, ...rest } = JSON.parse(JSON.stringify(bundle)) as Record<string, any>;
    expect(verifier.verifyAttestation({ dsseEnvelope, ...rest })).toBe(first);
    expect(verifier.cacheStats).toMatchObject({ hits: 1, misses: 1 });
    // The same signature over another payload: not a hit, and the signature fails.
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
    statement.predicate.server.version = '9.9.9';
    const altered = structuredClone(bundle);
    altered.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    expect(() => verifier.verifyAttestation(altered)).toThrow(expect.objectContaining({ code: 'KEY_SIGNATURE_INVALID' }));
    expect(verifier.cacheStats).toMatchObject({ hits: 1, misses: 2 });
    // The original is still cached; the bundle object changed after verification is not.
    expect(verifier.verifyAttestation(bundle)).toBe(first);
    bundle.dsseEnvelope.payloadType = 'text/plain';
    expect(() => verifier.verifyAttestation(bundle)).toThrow();
  });

  it('who signed, the digest and the log fields of a cached attestation cannot be changed by a caller: a later hit reports them as verified', async () => {
    const { signed, policy } = await keySigned();
    const verifier = await createManifestVerifier({ policy, trustSource: noAuthority });
    const first = verifier.verify(signed.bundle);
    const signer = structuredClone(first.signer);
    expect(() => { (first.signer as { hint?: string }).hint = 'someone else'; }).toThrow(TypeError);
    const attestation = first.attestation!;
    expect(() => { (attestation as { digest: string }).digest = 'sha256:forged'; }).toThrow(TypeError);
    const again = verifier.verify(signed.bundle);
    expect(verifier.cacheStats.hits).toBeGreaterThan(0);
    expect(again.signer).toEqual(signer);
    expect(again.manifestDigest).toBe(signed.digest);
  });
});
