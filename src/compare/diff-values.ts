import { escapePointer } from '../io/strict-json.js';
import type { Change, ChangeKind } from './schema.js';

/** Member names whose string values are prose the model reads, wherever they appear. */
const TEXT_KEYS = new Set(['description', 'title']);

/**
 * Lists every difference between two JSON values as changes under `base` (a JSON pointer).
 *
 * Objects are compared member by member, so a change is reported at the deepest path that
 * differs. Arrays of objects are compared index by index (prompt `arguments`, `anyOf`,
 * `icons`). Arrays holding only primitives (`required`, `enum`, `type: [..]`) are reported
 * as one change of the whole array: a reviewer wants to read `["a"] → ["a","b"]`, not a
 * cascade of shifted indices. Values of different JSON types are one change.
 */
export function diffValues(before: unknown, after: unknown, base: string): Change[] {
  const out: Change[] = [];
  walk(before, after, base, out);
  return out;
}

function walk(before: unknown, after: unknown, path: string, out: Change[]): void {
  if (isPlainObject(before) && isPlainObject(after)) {
    walkObject(before, after, path, out);
  } else if (Array.isArray(before) && Array.isArray(after) && (hasObject(before) || hasObject(after))) {
    walkArray(before, after, path, out);
  } else if (!jsonEqual(before, after)) {
    out.push(change(path, before, after));
  }
}

function walkObject(before: Record<string, unknown>, after: Record<string, unknown>, path: string, out: Change[]): void {
  // Sorted like JCS sorts members, so the report order is stable and matches the bytes.
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const key of keys) {
    const child = `${path}/${escapePointer(key)}`;
    const inBefore = Object.hasOwn(before, key);
    const inAfter = Object.hasOwn(after, key);
    if (inBefore && inAfter) walk(before[key], after[key], child, out);
    else out.push(change(child, inBefore ? before[key] : undefined, inAfter ? after[key] : undefined));
  }
}

function walkArray(before: unknown[], after: unknown[], path: string, out: Change[]): void {
  const length = Math.max(before.length, after.length);
  for (let i = 0; i < length; i++) {
    const child = `${path}/${i}`;
    if (i >= before.length) out.push(change(child, undefined, after[i]));
    else if (i >= after.length) out.push(change(child, before[i], undefined));
    else walk(before[i], after[i], child, out);
  }
}

/** Builds a change, leaving out the side that does not exist. */
export function change(path: string, before: unknown, after: unknown): Change {
  return {
    path,
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
    kind: classify(path, before, after),
  };
}

/**
 * A change is model-visible text when it sits at a `description` or `title` member and
 * each side that exists is a string. The string test keeps a schema *property named*
 * "title" (`/inputSchema/properties/title`, an object) structural.
 */
export function classify(path: string, before: unknown, after: unknown): ChangeKind {
  const last = path.slice(path.lastIndexOf('/') + 1);
  const texty = (v: unknown): boolean => v === undefined || typeof v === 'string';
  const isText = (TEXT_KEYS.has(last) || path === '/instructions') && texty(before) && texty(after);
  return isText ? 'model-visible-text' : 'structural';
}

/** Deep equality of two JSON values (member order ignored, as JCS ignores it). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Index loops, not every(): this runs on every member of every entry at each connect.
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!(i in a) || !(i in b) || !jsonEqual(a[i], b[i])) return holesEqual(a, b);
    return true;
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (!Object.hasOwn(b, k) || !jsonEqual(a[k], b[k])) return false;
  }
  return true;
}

/** every() skips holes: kept so that arrays with holes compare as they always did. */
function holesEqual(a: unknown[], b: unknown[]): boolean {
  return a.every((v, i) => jsonEqual(v, b[i]));
}

/** True for a JSON object (not an array, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasObject(values: unknown[]): boolean {
  return values.some((v) => typeof v === 'object' && v !== null);
}
