import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseStrictJson, parseStrictJsonCanonical } from '../../src/io/strict-json.js';

// parseStrictJsonCanonical says a member's text is RFC 8785 so that its hash can stand for the
// hash of its canonicalization. Sound: whatever it vouches for canonicalizes to itself (the
// `canonicalize` package is the reference). Complete enough to pay off: canonical text always passes.
const names = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 5 }),
  fc.constantFrom('a', 'b', 'B', '_type', '10', '9', '', '\u20ac', '\ud83d\ude00', '\uff61', 'a\u0000b', 'q"', 'x\\'),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null), fc.boolean(), fc.string({ unit: 'binary' }).filter((s) => s.isWellFormed()),
    fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(),
    fc.constantFrom(-0, 1e21, 1e-7, 5e-324, 0.1 + 0.2, 100, 1.5),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(names, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** Rewrites canonical text the ways a non-canonical writer could: spacing, key order, escapes, number forms. */
const variants = (text: string): string[] => [
  text,
  JSON.stringify(JSON.parse(text), null, 1),
  JSON.stringify(JSON.parse(text)), // insertion order, which JSON.parse keeps: index-like keys first
  text.replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`),
  text.replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16).toUpperCase()}`),
  text.replace(/\//, '\\/'),
  text.replace(/\\u001f/, '\\u001F'),
  text.replace(/\\n/, '\\u000a'),
  text.replace(/(?<=[:[,])(\d+)(?=[,\]}])/, '$1.0'),
  text.replace(/(?<=[:[,])(\d+)(?=[,\]}])/, '$1e0'),
  text.replace(/(?<=[:[,])0(?=[,\]}])/, '-0'),
  text.replace(/1e\+21/, '1E21'),
  text.replace(/[\u0080-\uffff]/, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  text.replace(/,/, ' ,'),
];

describe('parseStrictJsonCanonical', () => {
  it('vouches only for text that canonicalizes to itself, and always for canonical text', () => {
    fc.assert(fc.property(json, (value) => {
      const canonical = canonicalize(JSON.parse(JSON.stringify(value))) as string;
      for (const text of variants(canonical)) {
        let document;
        try {
          document = parseStrictJsonCanonical(`{"predicate":${text},"z":1}`, 'the property');
        } catch (err) {
          expect(err).toBeInstanceOf(InputError); // a rewrite may make a duplicate key; refused as parseStrictJson refuses it
          continue;
        }
        const member = document.canonicalMember('predicate');
        if (text === canonical) expect(member).toBe(canonical);
        if (member !== undefined) expect(canonicalize(JSON.parse(member))).toBe(member);
      }
    }), { numRuns: 400 });
  });

  it('returns the same value as parseStrictJson and refuses what it refuses', () => {
    const text = '{"predicate":{"b":[1,2.5,"\\u00e9"],"a":{"x":null}},"subject":[]}';
    expect(parseStrictJsonCanonical(text, 's').value).toEqual(parseStrictJson(text, 's'));
    for (const bad of ['{"a":1,"a":2}', '{"predicate":{"b":1,"a":2,"b":3}}', '{"p":"\\ud800"}', '{"p":1e999}', '{"p":']) {
      expect(() => parseStrictJsonCanonical(bad, 's')).toThrow(InputError);
    }
  });

  it('tells canonical members from others in one document', () => {
    const document = parseStrictJsonCanonical('{"a":{"x":1,"y":[true]}, "b":{"y":1,"x":2},"c":"caf\\u00e9","d":1.0,"e":"\\u001f"}', 's');
    expect(document.canonicalMember('a')).toBe('{"x":1,"y":[true]}');
    expect(document.canonicalMember('b')).toBeUndefined(); // members out of order
    expect(document.canonicalMember('c')).toBeUndefined(); // é escaped
    expect(document.canonicalMember('d')).toBeUndefined(); // 1.0 is written 1
    expect(document.canonicalMember('e')).toBe('"\\u001f"');
    expect(document.canonicalMember('missing')).toBeUndefined();
    expect(parseStrictJsonCanonical('[1]', 's').canonicalMember('0')).toBeUndefined();
  });
});
