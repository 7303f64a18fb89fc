import { decodeInvisible, hasInvisible, INVISIBLE_CLASSES, invisibleChars, invisibleClass } from '../io/invisible.js';
import { escapePointer } from '../io/strict-json.js';
import { entryKey, LIST_NAMES, type ListName } from '../manifest/lists.js';
import type { Manifest } from '../manifest/schema.js';
import type { HiddenUnicodeCategory, HiddenUnicodeFinding } from './schema.js';

/** Options for {@link scanHiddenUnicode}. */
export interface HiddenUnicodeScanOptions {
  /** Categories a policy allows; they are not reported. */
  allow?: readonly HiddenUnicodeCategory[];
}

/** The hidden-Unicode category of one code point, or undefined when it is visible (see `src/io/invisible.ts`). */
export function hiddenCategory(codePoint: number): HiddenUnicodeCategory | undefined {
  return invisibleClass(codePoint);
}

/**
 * Finds invisible characters in everything a model can be shown: the server's name, version
 * and title, `instructions`, and every string value *and every object key* inside every
 * list entry (a schema property name reaches the model as much as its description does).
 * Categories, from the engine's Unicode data: the TAG block U+E0000–U+E007F (it can spell
 * out ASCII that the user never sees; `decoded` recovers it), bidi controls, variation
 * selectors (which can carry bytes; `decoded` recovers them; one U+FE0F right after an emoji
 * is ordinary text and not reported), and `zero-width`: every other default-ignorable or
 * format character (zero-width space and joiners, fillers, invisible operators, ...).
 * Paths address entries by key, as diff paths do (see `ManifestDiffSchema`).
 */
export function scanHiddenUnicode(manifest: Manifest, options: HiddenUnicodeScanOptions = {}): HiddenUnicodeFinding[] {
  return scanManifestHiddenUnicode(manifest, options);
}

/**
 * The findings of one list entry that are already known (all categories, in the order
 * {@link scanHiddenUnicode} reports them), or undefined to scan the entry.
 */
export type KnownEntryFindings = (list: ListName, entry: Record<string, unknown>) => readonly HiddenUnicodeFinding[] | undefined;

/**
 * {@link scanHiddenUnicode}, taking an entry's findings from `known` where it has them (the
 * allowed categories are left out of those too). Only for a caller that can prove the known
 * findings are the entry's: see `compareManifestsWithKnown`.
 */
export function scanManifestHiddenUnicode(manifest: Manifest, options: HiddenUnicodeScanOptions = {}, known?: KnownEntryFindings): HiddenUnicodeFinding[] {
  const out: HiddenUnicodeFinding[] = [];
  const scan = collector(options, out);
  const allow = new Set(options.allow ?? []);
  for (const field of ['name', 'version', 'title'] as const) {
    const value = manifest.server[field];
    if (value !== undefined) scan(value, ['server', field], 'value');
  }
  if (manifest.instructions !== undefined) scan(manifest.instructions, ['instructions'], 'value');
  for (const list of LIST_NAMES) {
    for (const entry of manifest[list]) {
      const found = known?.(list, entry);
      if (found === undefined) walk(entry, [list, entryKey(list, entry)], scan);
      else for (const finding of found) if (!allow.has(finding.category)) out.push(finding);
    }
  }
  return out;
}

/**
 * Hidden Unicode in every string value and member name of any JSON value (e.g. the input
 * requests of an `input_required` result), found by the same rule as {@link scanHiddenUnicode};
 * paths are JSON Pointers below `root`.
 */
export function scanValueHiddenUnicode(value: unknown, root: readonly string[], options: HiddenUnicodeScanOptions = {}): HiddenUnicodeFinding[] {
  const out: HiddenUnicodeFinding[] = [];
  walk(value, [...root], collector(options, out));
  return out;
}

/** True when {@link scanHiddenUnicode} finds anything not allowed. */
export function hasHiddenUnicode(manifest: Manifest, options: HiddenUnicodeScanOptions = {}): boolean {
  return scanHiddenUnicode(manifest, options).length > 0;
}

type Scan = (text: string, tokens: readonly string[], target: 'value' | 'key') => void;

/** A {@link Scan} that pushes each finding not allowed onto `out`. */
function collector(options: HiddenUnicodeScanOptions, out: HiddenUnicodeFinding[]): Scan {
  const allow = new Set(options.allow ?? []);
  return (text, tokens, target) => {
    // Most strings are clean: test first, build the pointer only for a finding.
    if (!hasInvisible(text)) return;
    const path = tokens.map((t) => `/${escapePointer(t)}`).join('');
    for (const finding of scanString(text, path, target)) if (!allow.has(finding.category)) out.push(finding);
  };
}

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
    // Object.keys and an index loop, not Object.entries: no pair array per member (same order).
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      tokens.push(key);
      scan(key, tokens, 'key');
      walk((value as Record<string, unknown>)[key], tokens, scan);
      tokens.pop();
    }
  }
}

/** One finding per category present in `text`, in a fixed category order. */
export function scanString(text: string, path: string, target: 'value' | 'key'): HiddenUnicodeFinding[] {
  const found = new Map<HiddenUnicodeCategory, number[]>();
  for (const { codePoint, class: cls } of invisibleChars(text)) found.set(cls, [...(found.get(cls) ?? []), codePoint]);
  return INVISIBLE_CLASSES.flatMap((category) => {
    const codePoints = found.get(category);
    if (!codePoints) return [];
    const decoded = decodeInvisible(category, codePoints);
    return [{ path, target, category, codePoints: [...new Set(codePoints.map(formatCodePoint))], ...(decoded !== undefined ? { decoded } : {}) }];
  });
}

/** `U+XXXX` with at least four uppercase hex digits. */
export function formatCodePoint(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}
