import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalText, canonicalTextWith, jsonDigest } from '../../src/manifest/canonical.js';
import { ManifestError } from '../../src/errors.js';
import { createHash } from 'node:crypto';

// canonicalText takes a fast path for plain JSON; the canonicalize package is the reference it
// must equal byte for byte, including member names the fast path hands back to the reference.
const names = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('__proto__', 'constructor', 'toJSON', '0', '1', '9', '10', '01', '-1', '4294967294', '4294967295', '1e3', '', '\u20ac', '\ud83d\ude00', 'a\u0000b'),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null), fc.boolean(), fc.string({ unit: 'binary' }).filter((s) => s.isWellFormed()),
    fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(),
    fc.constantFrom(-0, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 0.1 + 0.2),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(names, tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('canonicalText', () => {
  it('equals the canonicalize package on arbitrary JSON, __proto__ and index-like names included', () => {
    fc.assert(fc.property(json, (value) => {
      // JSON.parse, as a reader does, so "__proto__" is an own member, not a prototype.
      const parsed: unknown = JSON.parse(JSON.stringify(value));
      expect(canonicalText(parsed)).toBe(canonicalize(parsed));
    }), { numRuns: 2000 });
  });

  it('equals the canonicalize package on canonical documents parsed back, the in-order input a signed payload is', () => {
    fc.assert(fc.property(json, (value) => {
      const parsed: unknown = JSON.parse(canonicalize(JSON.parse(JSON.stringify(value)))!);
      expect(canonicalText(parsed)).toBe(canonicalize(parsed));
    }), { numRuns: 2000 });
  });

  it('equals the canonicalize package on wide objects, in order, reversed and shuffled (both of its sorts)', () => {
    const wide = fc.dictionary(names, fc.integer(), { minKeys: 2, maxKeys: 60 });
    fc.assert(fc.property(wide, fc.constantFrom('as is', 'sorted', 'reversed'), (value, order) => {
      const parsed = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
      const entries = Object.entries(parsed);
      if (order !== 'as is') entries.sort(([a], [b]) => (a < b ? -1 : 1));
      if (order === 'reversed') entries.reverse();
      const rebuilt: unknown = JSON.parse(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
      expect(canonicalText(rebuilt)).toBe(canonicalize(rebuilt));
    }), { numRuns: 1000 });
  });

  it('keeps an own "__proto__" member, orders index-like names by code unit, and omits undefined members', () => {
    const value: unknown = JSON.parse('{"b":1,"__proto__":{"x":1},"10":0,"9":0,"a":[1,{"d":2,"c":3}]}');
    expect(canonicalText(value)).toBe('{"10":0,"9":0,"__proto__":{"x":1},"a":[1,{"c":3,"d":2}],"b":1}');
    expect(canonicalText({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalText([undefined])).toBe('[null]');
  });

  it('refuses lone surrogates in values and names, and non-finite numbers', () => {
    for (const bad of ['\ud800', { '\udc00': 1 }, [Number.NaN], { x: Number.POSITIVE_INFINITY }]) {
      expect(() => canonicalText(bad)).toThrow(ManifestError);
      try { canonicalText(bad); } catch (err) { expect((err as ManifestError).code).toBe('NOT_CANONICALIZABLE'); }
    }
  });

  it('serializes very deep values through the reference, not the engine stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 2000; i++) deep = [deep];
    expect(canonicalText(deep)).toBe('['.repeat(2000) + '1' + ']'.repeat(2000));
  });

  it('digests the same bytes canonicalBytes gives', () => {
    const value = { z: 'é\u2028', a: [1.5, -0, 'x'] };
    expect(jsonDigest(value)).toBe(`sha256:${createHash('sha256').update(canonicalBytes(value)).digest('hex')}`);
  });
});

describe('canonicalTextWith', () => {
  it('equals canonicalText of the whole object when a member\'s canonical text is given (property)', () => {
    fc.assert(fc.property(fc.dictionary(names, json, { maxKeys: 6 }), names, json, (rest, key, member) => {
      const object: Record<string, unknown> = JSON.parse(JSON.stringify(rest));
      Object.defineProperty(object, key, { value: JSON.parse(JSON.stringify(member ?? null)), enumerable: true, writable: true, configurable: true });
      expect(canonicalTextWith(object, { [key]: canonicalText(object[key]) })).toBe(canonicalText(object));
    }), { numRuns: 300 });
  });
});
