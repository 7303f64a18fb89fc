import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { ManifestError } from '../errors.js';

/** A digest written as `sha256:<64 lowercase hex>`. */
export type Sha256Digest = `sha256:${string}`;

/**
 * RFC 8785 (JCS) text of a JSON value. Lone surrogates and non-finite numbers are
 * errors, never silently replaced, so two parties can never disagree on the bytes.
 *
 * Plain JSON (what a parser or zod hands us) takes a fast path written for it: members
 * sorted by UTF-16 code unit, strings that need no escape written as they are, the rest
 * escaped by the engine's `JSON.stringify` (RFC 8785 defines its string and number forms
 * as ECMAScript's). Anything else (a value that is not plain JSON, extreme depth) goes
 * through the `canonicalize` package, the reference the property tests hold the fast path to.
 *
 * @throws ManifestError `NOT_CANONICALIZABLE`
 */
export function canonicalText(value: unknown): string {
  let text: string | undefined;
  try {
    text = fastCanonical(value) ?? canonicalize(value);
  } catch (err) {
    throw new ManifestError('NOT_CANONICALIZABLE', `The value cannot be canonicalized with RFC 8785: ${(err as Error).message}.`, { cause: err });
  }
  if (text === undefined) {
    throw new ManifestError('NOT_CANONICALIZABLE', 'The value cannot be canonicalized with RFC 8785: it is undefined.');
  }
  return text;
}

/**
 * RFC 8785 text of a plain object some of whose members' RFC 8785 text the caller already
 * has (`known`: member name → that member's canonical text), so they are not canonicalized
 * again. The caller vouches that each known text is the canonical text of that member.
 *
 * @throws ManifestError `NOT_CANONICALIZABLE`
 */
export function canonicalTextWith(object: object, known: Record<string, string>): string {
  const record = object as Record<string, unknown>;
  const members: string[] = [];
  for (const key of sortedKeys(record)) {
    if (record[key] === undefined) continue; // as the fast path does: JSON has no undefined
    members.push(`${canonicalText(key)}:${Object.hasOwn(known, key) ? known[key] : canonicalText(record[key])}`);
  }
  return `{${members.join(',')}}`;
}

/** RFC 8785 (JCS) bytes of a JSON value; see {@link canonicalText}. @throws ManifestError `NOT_CANONICALIZABLE` */
export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalText(value));
}

/** Lowercase hex SHA-256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Lowercase hex SHA-256 of a well-formed string's UTF-8 bytes. */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `sha256:<hex>` of the RFC 8785 bytes of any JSON value (a manifest, or one entry of it). */
export function jsonDigest(value: unknown): Sha256Digest {
  // Hashing the well-formed text hashes its UTF-8 bytes, without a second copy of them.
  return `sha256:${sha256Text(canonicalText(value))}`;
}

/** Splits `sha256:<hex>` into its hex part, or throws when it is not one. */
export function digestHex(digest: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!match) throw new ManifestError('DIGEST_MALFORMED', `"${digest}" is not a digest of the form sha256:<64 lowercase hex digits>.`);
  return match[1]!;
}

/** Thrown inside the fast path for input it leaves to the reference implementation. */
const NOT_PLAIN = Symbol('not plain JSON');
/** Beyond this nesting recursion could run out of stack; the reference keeps its own. */
const FAST_DEPTH = 512;
/** Characters JSON.stringify escapes, and surrogates (paired or lone) that must be checked. */
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;

function fastCanonical(value: unknown): string | undefined {
  try {
    return serialize(value, 0, new Map());
  } catch (err) {
    if (err === NOT_PLAIN) return undefined;
    throw err;
  }
}

/**
 * Member names already quoted in this serialization. A manifest repeats a few dozen names
 * (`type`, `description`, ...) thousands of times; quoting each once is a third of the work.
 */
type QuotedKeys = Map<string, string>;

function serialize(value: unknown, depth: number, keys: QuotedKeys): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(Number.isNaN(value) ? 'NaN is not allowed' : 'Infinity is not allowed');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (depth >= FAST_DEPTH) throw NOT_PLAIN;
      return Array.isArray(value) ? serializeArray(value, depth + 1, keys) : serializeObject(value, depth + 1, keys);
    default:
      throw NOT_PLAIN; // undefined, functions, symbols, bigints: the reference decides
  }
}

function quote(text: string): string {
  if (!NEEDS_CARE.test(text)) return `"${text}"`;
  if (!text.isWellFormed()) throw new Error('Lone surrogate is not allowed');
  return JSON.stringify(text);
}

function quoteKey(key: string, keys: QuotedKeys): string {
  let quoted = keys.get(key);
  if (quoted === undefined) {
    quoted = quote(key);
    keys.set(key, quoted);
  }
  return quoted;
}

function serializeArray(items: readonly unknown[], depth: number, keys: QuotedKeys): string {
  if (Object.getPrototypeOf(items) !== Array.prototype) throw NOT_PLAIN;
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    out += serialize(items[i], depth, keys);
  }
  return out + ']';
}

function serializeObject(object: object, depth: number, keys: QuotedKeys): string {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const names = sortedKeys(object);
  let out = '{';
  for (const key of names) {
    const member = (object as Record<string, unknown>)[key];
    if (member === undefined) continue; // JSON has no undefined; JSON.stringify and JCS omit it
    if (out.length > 1) out += ',';
    out += quoteKey(key, keys) + ':' + serialize(member, depth, keys);
  }
  return out + '}';
}

/** Beyond this many members the engine's sort beats an insertion sort. */
const INSERTION_SORT_MAX = 32;

/**
 * Own enumerable names in UTF-16 code unit order, the order RFC 8785 requires (and that
 * `<` on strings and the default `sort()` both use). Objects are small and often already in
 * order (a parsed canonical file), so: check first, then sort in place by insertion.
 */
function sortedKeys(object: object): string[] {
  const names = Object.keys(object);
  let i = 1;
  while (i < names.length && names[i - 1]! < names[i]!) i++;
  if (i >= names.length) return names;
  if (names.length > INSERTION_SORT_MAX) return names.sort();
  for (; i < names.length; i++) {
    const name = names[i]!;
    let j = i - 1;
    while (j >= 0 && names[j]! > name) {
      names[j + 1] = names[j]!;
      j--;
    }
    names[j + 1] = name;
  }
  return names;
}
