import { escapePointer } from '../io/strict-json.js';
import { entryKey, LIST_NAMES } from '../manifest/lists.js';
import type { Manifest } from '../manifest/schema.js';
import type { HiddenUnicodeCategory, HiddenUnicodeFinding } from './schema.js';

/** Options for {@link scanHiddenUnicode}. */
export interface HiddenUnicodeScanOptions {
  /** Categories a policy allows; they are not reported. */
  allow?: readonly HiddenUnicodeCategory[];
}

/**
 * Zero-width and other invisible formatting characters: the zero-width space and joiners,
 * word joiner, BOM, Mongolian vowel separator, the invisible operators U+2061–U+2064, the
 * deprecated format controls U+206A–U+206F, soft hyphen, combining grapheme joiner, the
 * Hangul fillers and the interlinear annotation controls. Variation selectors are left out:
 * emoji use U+FE0F everywhere, and flagging them would drown real findings.
 */
const ZERO_WIDTH = new Set([
  0x200b, 0x200c, 0x200d, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x206a, 0x206b, 0x206c, 0x206d, 0x206e, 0x206f,
  0xfeff, 0x180e, 0x00ad, 0x034f, 0x115f, 0x1160, 0x3164, 0xffa0, 0xfff9, 0xfffa, 0xfffb,
]);
const BIDI = new Set([0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c]);
/** Every code point of the three categories; a quick test so clean strings cost one regex run. */
const ANY_HIDDEN = /[\u{E0000}-\u{E007F}\u200B-\u200F\u2060-\u2064\u206A-\u206F\uFEFF\u180E\u00AD\u034F\u115F\u1160\u3164\uFFA0\uFFF9-\uFFFB\u202A-\u202E\u2066-\u2069\u061C]/u;

/** The hidden-Unicode category of one code point, or undefined when it is visible. */
export function hiddenCategory(codePoint: number): HiddenUnicodeCategory | undefined {
  if (codePoint >= 0xe0000 && codePoint <= 0xe007f) return 'tag';
  if (ZERO_WIDTH.has(codePoint)) return 'zero-width';
  if (BIDI.has(codePoint)) return 'bidi';
  return undefined;
}

/**
 * Finds invisible characters in everything a model can be shown: the server's name, version
 * and title, `instructions`, and every string value *and every object key* inside every
 * list entry (a schema property name reaches the model as much as its description does).
 * Categories: the Unicode TAG block U+E0000–U+E007F (it can spell out ASCII that the user
 * never sees; `decoded` recovers it), zero-width characters, and bidi controls.
 * Paths address entries by key, as diff paths do (see `ManifestDiffSchema`).
 */
export function scanHiddenUnicode(manifest: Manifest, options: HiddenUnicodeScanOptions = {}): HiddenUnicodeFinding[] {
  const allow = new Set(options.allow ?? []);
  const out: HiddenUnicodeFinding[] = [];
  const scan: Scan = (text, tokens, target) => {
    // Most strings are clean: test first, build the pointer only for a finding.
    if (!ANY_HIDDEN.test(text)) return;
    const path = tokens.map((t) => `/${escapePointer(t)}`).join('');
    for (const finding of scanString(text, path, target)) if (!allow.has(finding.category)) out.push(finding);
  };
  for (const field of ['name', 'version', 'title'] as const) {
    const value = manifest.server[field];
    if (value !== undefined) scan(value, ['server', field], 'value');
  }
  if (manifest.instructions !== undefined) scan(manifest.instructions, ['instructions'], 'value');
  for (const list of LIST_NAMES) {
    for (const entry of manifest[list]) {
      walk(entry, [list, entryKey(list, entry)], scan);
    }
  }
  return out;
}

/** True when {@link scanHiddenUnicode} finds anything not allowed. */
export function hasHiddenUnicode(manifest: Manifest, options: HiddenUnicodeScanOptions = {}): boolean {
  return scanHiddenUnicode(manifest, options).length > 0;
}

type Scan = (text: string, tokens: readonly string[], target: 'value' | 'key') => void;

/** Visits every string and member name; `tokens` is a shared stack of unescaped pointer tokens. */
function walk(value: unknown, tokens: string[], scan: Scan): void {
  if (typeof value === 'string') {
    scan(value, tokens, 'value');
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      tokens.push(String(i));
      walk(value[i], tokens, scan);
      tokens.pop();
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      tokens.push(key);
      scan(key, tokens, 'key');
      walk(v, tokens, scan);
      tokens.pop();
    }
  }
}

/** One finding per category present in `text`, in a fixed category order. */
export function scanString(text: string, path: string, target: 'value' | 'key'): HiddenUnicodeFinding[] {
  if (!ANY_HIDDEN.test(text)) return [];
  const found = new Map<HiddenUnicodeCategory, { codePoints: Set<string>; decoded: string }>();
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    const category = hiddenCategory(cp);
    if (!category) continue;
    const slot = found.get(category) ?? { codePoints: new Set<string>(), decoded: '' };
    slot.codePoints.add(formatCodePoint(cp));
    // TAG U+E0020..U+E007E mirror ASCII 0x20..0x7E; U+E0001 (language tag) and U+E007F (cancel) carry no letter.
    if (category === 'tag' && cp >= 0xe0020 && cp <= 0xe007e) slot.decoded += String.fromCharCode(cp - 0xe0000);
    found.set(category, slot);
  }
  return (['tag', 'zero-width', 'bidi'] as const).flatMap((category) => {
    const slot = found.get(category);
    if (!slot) return [];
    const decoded = category === 'tag' ? { decoded: slot.decoded } : {};
    return [{ path, target, category, codePoints: [...slot.codePoints], ...decoded }];
  });
}

/** `U+XXXX` with at least four uppercase hex digits. */
export function formatCodePoint(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}
