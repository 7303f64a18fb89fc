import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildManifest, canonicalBytes, hiddenCategory, scanHiddenUnicode, validateManifest, type ManifestParts } from '../../src/internal.js';
import { INVISIBLE_CLASSES, invisibleClass } from '../../src/io/invisible.js';
import { escapeTerminal, untrusted } from '../../src/io/terminal.js';
import { manifestParts } from './properties.helpers.js';

const RUNS = { numRuns: 200 };
/** Member names that mean something to JavaScript objects. */
const PROTO_LIKE = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'toString', 'valueOf', 'hasOwnProperty'];

/** Adds the member `key` to a random object inside the first tool, as an own data property (what JSON.parse makes of it). */
function withMember(parts: ManifestParts, key: string, value: unknown, pick: number): unknown {
  const manifest = JSON.parse(JSON.stringify(buildManifest(parts))) as { tools: Record<string, unknown>[] };
  const objects: Record<string, unknown>[] = [];
  const collect = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (!Array.isArray(node)) objects.push(node as Record<string, unknown>);
    for (const child of Object.values(node)) collect(child);
  };
  collect(manifest.tools[0]);
  Object.defineProperty(objects[pick % objects.length]!, key, { value, enumerable: true, writable: true, configurable: true });
  // Round-trip through text: the reader under test sees what any JSON reader would.
  return JSON.parse(JSON.stringify(manifest));
}

describe('properties: validation never changes the canonical bytes', () => {
  it('a manifest read from JSON either validates to the same RFC 8785 bytes or is refused, for __proto__-like member names anywhere in an entry', () => {
    let refused = 0;
    fc.assert(fc.property(manifestParts, fc.constantFrom(...PROTO_LIKE), fc.jsonValue({ maxDepth: 2 }), fc.nat(), (parts, key, value, pick) => {
      const raw = withMember(parts, key, value, pick);
      const before = canonicalBytes(raw);
      // fast-check's JSON values hold "__proto__" members of their own now and then.
      if (key === '__proto__' || JSON.stringify(value).includes('"__proto__":')) {
        expect(() => validateManifest(raw, 'the property')).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID' }));
        expect(() => validateManifest(raw, 'the property')).toThrow(/__proto__/);
        refused++;
        return;
      }
      const validated = validateManifest(raw, 'the property');
      expect(Buffer.from(canonicalBytes(validated)).equals(Buffer.from(before))).toBe(true);
    }), RUNS);
    expect(refused).toBeGreaterThan(0);
  });

  it('a "__proto__" member is refused wherever it is, with its pointer', () => {
    fc.assert(fc.property(manifestParts, fc.jsonValue({ maxDepth: 1 }), fc.nat(), (parts, value, pick) => {
      const raw = withMember(parts, '__proto__', value, pick);
      expect(() => validateManifest(raw, 'the property')).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID' }));
      expect(() => validateManifest(raw, 'the property')).toThrow(/"__proto__" at \/tools\/0(\/.*)?\/__proto__/);
    }), { numRuns: 100 });
  });
});

/** Every code point of one invisible class (sampled across the whole Unicode range). */
function classMembers(cls: string): number[] {
  const out: number[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if (invisibleClass(cp) === cls) out.push(cp);
  }
  return out;
}
const MEMBERS = Object.fromEntries(INVISIBLE_CLASSES.map((c) => [c, classMembers(c)]));

describe('properties: every invisible class is found and escaped', () => {
  it('each class has members, and any member anywhere in a description is reported in its class', () => {
    for (const cls of INVISIBLE_CLASSES) expect(MEMBERS[cls]!.length, cls).toBeGreaterThan(0);
    fc.assert(fc.property(manifestParts, fc.constantFrom(...INVISIBLE_CLASSES), fc.nat(), fc.string({ maxLength: 8 }), (parts, cls, i, prefix) => {
      const cp = MEMBERS[cls]![i % MEMBERS[cls]!.length]!;
      const tools = (parts.tools ?? []).map((t, n) => (n === 0 ? { ...t, description: `${prefix.replace(/[^a-z ]/g, '')}x${String.fromCodePoint(cp)}` } : t));
      const findings = scanHiddenUnicode(buildManifest({ ...parts, tools }));
      expect(findings.some((f) => f.category === cls && f.codePoints.includes(`U+${cp.toString(16).toUpperCase().padStart(4, '0')}`))).toBe(true);
      expect(hiddenCategory(cp)).toBe(cls);
    }), RUNS);
  });

  it('escapeTerminal output holds no control, format, invisible or separator character, and untrusted() is bounded', () => {
    const unsafe = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\p{Cs}]/u;
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(fc.constantFrom('\u001b[2J', '\u001b]0;title\u0007', '\r', '\n', '\u202e', '\u2066', '\u200b', '\u{E0041}', '\uFE0F', '\u2028', '\ud800', 'OK: verified'), { maxLength: 10 }).map((a) => a.join('')),
      fc.tuple(fc.constantFrom(...INVISIBLE_CLASSES), fc.nat()).map(([cls, i]) => `a${String.fromCodePoint(MEMBERS[cls]![i % MEMBERS[cls]!.length]!)}b`),
    );
    fc.assert(fc.property(hostile, fc.integer({ min: 1, max: 60 }), (text, max) => {
      const escaped = escapeTerminal(text);
      expect(unsafe.test(escaped.replace(/(?<=\p{Emoji})\uFE0F/gu, ''))).toBe(false);
      expect(escapeTerminal(escaped)).toBe(escaped);
      const shown = untrusted(text, max);
      expect(unsafe.test(shown.replace(/(?<=\p{Emoji})\uFE0F/gu, ''))).toBe(false);
      expect([...shown].length).toBeLessThanOrEqual(max * 10 + 30);
    }), { numRuns: 500 });
  });
});
