import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDigest } from '../../src/internal.js';
import { bundleCacheKey, bundleLookupKey, equalsSnapshot, jsonSnapshot } from '../../src/verify/cache.js';

const bundle = {
  mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  verificationMaterial: { certificate: { rawBytes: 'MIIB' }, tlogEntries: [{ logIndex: '7', integratedTime: '1700000000' }] },
  dsseEnvelope: { payload: 'eyJfdHlwZSI6Ii4uLiJ9', payloadType: 'application/vnd.in-toto+json', signatures: [{ sig: 'MEUC', keyid: '' }] },
};

describe('bundleCacheKey: the verified-bundle cache key', () => {
  it('is the same for deeply equal JSON, whatever the key order or object identity', () => {
    const reordered = { dsseEnvelope: bundle.dsseEnvelope, mediaType: bundle.mediaType, verificationMaterial: structuredClone(bundle.verificationMaterial) };
    expect(bundleCacheKey(reordered)).toBe(bundleCacheKey(JSON.parse(JSON.stringify(bundle))));
  });

  it('differs when any part of the bundle differs, including a tlog entry or a string split across fields', () => {
    const changedLog = structuredClone(bundle);
    changedLog.verificationMaterial.tlogEntries[0]!.logIndex = '8';
    const keys = [bundle, changedLog, { a: 'bc', d: '' }, { a: 'b', d: 'c' }, ['ab', 'c'], ['a', 'bc'], [1, '1'], ['1', 1], { a: null }, { a: 'null' }, [true], ['t']]
      .map(bundleCacheKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('hands what is not plain JSON to the RFC 8785 digest, so it neither collides nor stops failing as before', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(bundleCacheKey([, 1])).toBe(`jcs:${jsonDigest([null, 1])}`);
    expect(bundleCacheKey([null, 1])).not.toBe(bundleCacheKey([, 1]));
    expect(bundleCacheKey({ when: new Date(0) })).toBe(`jcs:${jsonDigest({ when: '1970-01-01T00:00:00.000Z' })}`);
    expect(() => bundleCacheKey(['\uD800'])).toThrow(expect.objectContaining({ code: 'NOT_CANONICALIZABLE' }));
    expect(() => bundleCacheKey([Number.NaN])).toThrow(expect.objectContaining({ code: 'NOT_CANONICALIZABLE' }));
  });

  it('gives equal keys exactly when the RFC 8785 digests are equal (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
      expect(bundleCacheKey(a) === bundleCacheKey(b)).toBe(jsonDigest(a) === jsonDigest(b));
    }), { numRuns: 500 });
  });
});

describe('equalsSnapshot: a cache hit found by signature', () => {
  it('holds exactly when the RFC 8785 digests are equal (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
      const snapshot = jsonSnapshot(a);
      if (snapshot === undefined) return;
      expect(equalsSnapshot(snapshot, b)).toBe(jsonDigest(a) === jsonDigest(b));
      expect(equalsSnapshot(snapshot, JSON.parse(JSON.stringify(a)))).toBe(true);
    }), { numRuns: 500 });
  });

  it('is a copy: changing the original after the snapshot does not change it', () => {
    const original = structuredClone(bundle);
    const snapshot = jsonSnapshot(original);
    original.dsseEnvelope.payloadType = 'text/plain';
    expect(equalsSnapshot(snapshot, original)).toBe(false);
    expect(equalsSnapshot(snapshot, bundle)).toBe(true);
  });

  it('refuses what is not plain JSON data, as bundleCacheKey does', () => {
    const snapshot = jsonSnapshot({ a: [1], b: {} });
    // eslint-disable-next-line no-sparse-arrays
    for (const other of [{ a: [1], b: new (class {})() }, { a: Object.assign([1], {}), b: {}, c: undefined }, { a: [, ], b: {} }]) {
      expect(equalsSnapshot(snapshot, other)).toBe(false);
    }
    expect(jsonSnapshot({ when: new Date(0) })).toBeUndefined();
    expect(jsonSnapshot(['\uD800'])).toBeUndefined();
    expect(jsonSnapshot([Number.NaN])).toBeUndefined();
  });

  it('looks a bundle up by its first signature, or not at all', () => {
    expect(bundleLookupKey(bundle)).toBe('sig:MEUC');
    expect(bundleLookupKey({ messageSignature: { signature: 'MEQC' } })).toBe('sig:MEQC');
    expect(bundleLookupKey({ dsseEnvelope: { signatures: [{ sig: 7 }] } })).toBeUndefined();
    expect(bundleLookupKey(null)).toBeUndefined();
  });
});

