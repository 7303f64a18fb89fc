import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkStrictJsonText, readStrictJson } from '../../src/io/strict-json.js';

/**
 * readStrictJson runs a fast pass and falls back to the reference pass (checkStrictJsonText,
 * the original scanner with pointers) only when the fast pass finds a problem. The fast pass
 * must never accept what the reference refuses: these properties generate JSON text full of
 * what the rules are about (few distinct keys, so duplicates are common; escapes that decode
 * to equal keys; lone and paired surrogates, escaped and raw; huge numbers; whitespace) and
 * compare the verdicts.
 */

const verdict = (run: () => unknown): string => {
  try {
    run();
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
};

const ws = fc.constantFrom('', '', '', ' ', '\t', '\r\n ', '\n');
const keyText = fc.constantFrom('"a"', '"b"', '"\\u0061"', '"a\\\\"', '"__proto__"', '"\\u005f_proto__"', '"id"', '"\\ud83d\\ude00"', '"\ud83d\ude00"', '"q\\""', '"q\\u0022"', '"\\ud800"', '"x\\/y"');
const stringText = fc.oneof(
  fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"\\ud800"', '"ok \\udc00 then"', '"\\ude00\\ud83d"', '"\\ud83d\\ude00"', '"\ud83d\ude00"', '"a\\\\"', '"\\\\u0041"', '"\\\\\\"\\\\"', '"tab\\tnl\\n"', '"\\u00e9"'),
);
const numberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom('1e400', '-2E999', '1.7976931348623157e308', '0', '-0.5', '12e-400', `1${'0'.repeat(310)}`, `1${'0'.repeat(305)}`, `0.${'1'.repeat(400)}`, '1E+2'),
);
const literalText = fc.constantFrom('true', 'false', 'null');

const { json } = fc.letrec((tie) => ({
  json: fc.oneof({ depthSize: 'small', withCrossShrink: true }, literalText, numberText, stringText, tie('array'), tie('object')),
  array: fc.array(tie('json'), { maxLength: 4 }).chain((items) => ws.map((w) => `[${w}${(items as string[]).join(`${w},`)}]`)),
  object: fc.array(fc.tuple(keyText, ws, tie('json')), { maxLength: 5 }).map((members) => `{${members.map(([k, w, v]) => `${w}${k}${w}:${w}${v as string}`).join(',')}}`),
}));

describe('readStrictJson fast pass', () => {
  it('refuses exactly what the reference scanner refuses, with the same code', () => {
    let refused = 0;
    fc.assert(fc.property(json, ws, (text, pad) => {
      const doc = `${pad}${text}${pad}`;
      if (verdict(() => JSON.parse(doc)) !== 'ok') return;
      const expected = verdict(() => checkStrictJsonText(doc, 'gen'));
      if (expected !== 'ok') refused++;
      expect(verdict(() => readStrictJson(doc, 'gen'))).toBe(expected);
    }), { numRuns: 3000 });
    expect(refused).toBeGreaterThan(100); // the generator does reach the rules
  });

  it('reports own __proto__ members and the span of a top-level member exactly', () => {
    fc.assert(fc.property(fc.array(fc.tuple(keyText, json), { maxLength: 5 }), ws, (members, w) => {
      const doc = `{${members.map(([k, v]) => `${w}${k}${w}:${w}${v}${w}`).join(',')}}`;
      if (verdict(() => checkStrictJsonText(doc, 'gen')) !== 'ok' || verdict(() => JSON.parse(doc)) !== 'ok') return;
      const read = readStrictJson(doc, 'gen', 'id');
      const value = JSON.parse(doc) as Record<string, unknown>;
      expect(read.value).toEqual(value);
      expect(read.protoMember).toBe(JSON.stringify(value).includes('"__proto__":') || hasOwnProto(value));
      // A span is only ever given for the member asked for; a key with an escape sends the
      // document to the reference pass, which gives none (the caller then serializes).
      if (Object.hasOwn(value, 'id')) {
        if (!doc.includes('\\')) expect(read.span).toBeDefined();
        if (read.span) expect(JSON.parse(doc.slice(...read.span))).toEqual(value.id);
      } else {
        expect(read.span).toBeUndefined();
      }
    }), { numRuns: 1500 });
  });

  it('decides nesting at the same depth as the reference (512 levels accepted, 513 refused)', () => {
    for (const n of [511, 512, 513]) {
      const arrays = `${'['.repeat(n)}${']'.repeat(n)}`;
      const objects = `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
      for (const doc of [arrays, objects]) expect(verdict(() => readStrictJson(doc, 'deep'))).toBe(verdict(() => checkStrictJsonText(doc, 'deep')));
    }
    expect(verdict(() => readStrictJson(`${'['.repeat(513)}${']'.repeat(513)}`, 'deep'))).toBe('JSON_TOO_DEEP');
  });

  it('finds duplicates in objects with many members too (past the linear search)', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`);
    expect(verdict(() => readStrictJson(`{${keys.join(',')}}`, 'many'))).toBe('ok');
    for (const dup of ['"k3":0', '"k\\u0033":0', '"k39":0']) {
      expect(verdict(() => readStrictJson(`{${keys.join(',')},${dup}}`, 'many'))).toBe('JSON_DUPLICATE_KEY');
      // A sibling object after a large one starts with an empty key list and no Set.
      expect(verdict(() => readStrictJson(`[{${keys.join(',')}},{${dup}}]`, 'many'))).toBe('ok');
      expect(verdict(() => readStrictJson(`[{${keys.join(',')}},{${dup},${dup}}]`, 'many'))).toBe('JSON_DUPLICATE_KEY');
    }
  });

  it('falls back to the reference for text with raw lone surrogates, and agrees with it', () => {
    for (const doc of ['"\ud800"', '{"a":"x\udc00"}', '["\\ud83d\ude00"]', '{"\ud800":1}']) {
      expect(verdict(() => readStrictJson(doc, 'raw'))).toBe(verdict(() => checkStrictJsonText(doc, 'raw')));
    }
  });
});

function hasOwnProto(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(hasOwnProto);
  return Object.hasOwn(value, '__proto__') || Object.values(value).some(hasOwnProto);
}
