import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonEqual } from '../../src/compare/diff-values.js';
import { jsonDigest } from '../../src/manifest/canonical.js';

// compareManifests decides "unchanged" by jsonEqual instead of comparing RFC 8785 digests: the two
// relations must agree on JSON values.
describe('jsonEqual', () => {
  it('holds exactly when the RFC 8785 digests are equal (property), member order aside', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
      expect(jsonEqual(a, b)).toBe(jsonDigest(a) === jsonDigest(b));
      const copy = JSON.parse(JSON.stringify(a));
      expect(jsonEqual(a, copy)).toBe(true);
    }), { numRuns: 1000 });
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: [1, 2] }, { a: [1, 3] })).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: null })).toBe(false);
  });

  it('compares arrays with holes as before (every() skips holes in the first)', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holey = [1, , 3];
    expect(jsonEqual(holey, [1, 2, 3])).toBe(true);
    expect(jsonEqual([1, 2, 3], holey)).toBe(false);
    expect(jsonEqual(holey, [1, 2, 4])).toBe(false);
  });
});
