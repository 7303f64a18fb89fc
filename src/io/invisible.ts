/**
 * Which code points a person does not see, from the Unicode data the JavaScript engine
 * carries (`\p{...}` property escapes), not from a hand list: a hand list misses classes
 * (variation selectors, musical-symbol and shorthand format controls, Khmer inherent vowels)
 * and never learns the new ones. One home for the rule: the hidden-Unicode scan and the
 * terminal escaping both read it.
 */

/** The classes of invisible characters toolseal reports. */
export type InvisibleClass = 'tag' | 'zero-width' | 'bidi' | 'variation-selector';

/** The report order of the classes. */
export const INVISIBLE_CLASSES: readonly InvisibleClass[] = ['tag', 'zero-width', 'bidi', 'variation-selector'];

/**
 * Anything invisible: default-ignorable code points (zero-width characters, fillers, variation
 * selectors, TAG characters, and the unassigned code points reserved as such) and format
 * controls (bidi controls, invisible operators, interlinear annotation, ...). A quick test so a
 * clean string costs one regex run.
 */
export const ANY_INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/u;

/** No ASCII character is default-ignorable or a format control, so an ASCII string is visible. */
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Whether `text` holds anything invisible ({@link ANY_INVISIBLE}): the same answer, but an
 * ASCII string (most names, schemas and descriptions) is settled by a plain byte scan
 * instead of a Unicode property match.
 */
export function hasInvisible(text: string): boolean {
  return NON_ASCII.test(text) && ANY_INVISIBLE.test(text);
}

const BIDI = /^\p{Bidi_Control}$/u;
const SELECTOR = /^\p{Variation_Selector}$/u;
const INVISIBLE = /^[\p{Default_Ignorable_Code_Point}\p{Cf}]$/u;
const EMOJI = /^\p{Emoji}$/u;
/** U+FE0F VARIATION SELECTOR-16: "show the preceding character as an emoji". */
export const EMOJI_PRESENTATION = 0xfe0f;

/** The class of one code point, or undefined when it is visible. */
export function invisibleClass(codePoint: number): InvisibleClass | undefined {
  if (codePoint >= 0xe0000 && codePoint <= 0xe007f) return 'tag';
  const char = String.fromCodePoint(codePoint);
  if (!INVISIBLE.test(char)) return undefined;
  if (BIDI.test(char)) return 'bidi';
  if (SELECTOR.test(char)) return 'variation-selector';
  return 'zero-width';
}

/** One invisible code point found in a string. */
export interface InvisibleChar {
  codePoint: number;
  class: InvisibleClass;
}

/**
 * Every invisible code point of `text`, in order, except the one use of a variation selector
 * that is everywhere in ordinary text: a single U+FE0F right after an emoji (as in "✔️"). A
 * run of selectors after an emoji, any other selector, or one after a non-emoji is reported.
 */
export function invisibleChars(text: string): InvisibleChar[] {
  if (!hasInvisible(text)) return [];
  const chars = [...text];
  const out: InvisibleChar[] = [];
  for (let i = 0; i < chars.length; i++) {
    const cp = chars[i]!.codePointAt(0)!;
    const cls = invisibleClass(cp);
    if (cls === undefined || isAllowedEmojiSelector(chars, i)) continue;
    out.push({ codePoint: cp, class: cls });
  }
  return out;
}

/** True when `chars[i]` is a lone U+FE0F after an emoji base. */
export function isAllowedEmojiSelector(chars: readonly string[], i: number): boolean {
  if (chars[i]!.codePointAt(0) !== EMOJI_PRESENTATION || i === 0) return false;
  const next = chars[i + 1];
  return EMOJI.test(chars[i - 1]!) && (next === undefined || !SELECTOR.test(next));
}

/**
 * What invisible characters spell. TAG U+E0020..U+E007E mirror ASCII (U+E0001 and U+E007F
 * carry no letter). Variation selectors carry bytes in the known smuggling scheme
 * (U+FE00..U+FE0F are 0..15, U+E0100..U+E01EF are 16..255), read as UTF-8. Undefined when
 * the class spells nothing.
 */
export function decodeInvisible(cls: InvisibleClass, codePoints: readonly number[]): string | undefined {
  if (cls === 'tag') {
    return codePoints.filter((cp) => cp >= 0xe0020 && cp <= 0xe007e).map((cp) => String.fromCharCode(cp - 0xe0000)).join('');
  }
  if (cls !== 'variation-selector') return undefined;
  const bytes = codePoints.flatMap((cp) => (cp >= 0xfe00 && cp <= 0xfe0f ? [cp - 0xfe00] : cp >= 0xe0100 && cp <= 0xe01ef ? [cp - 0xe0100 + 16] : []));
  if (bytes.length === 0) return undefined;
  return new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(bytes));
}
