import { InputError } from '../errors.js';
import { escapeTerminal } from './terminal.js';

/**
 * Parses JSON text and rejects what `JSON.parse` silently accepts but a signature
 * scheme must not: duplicate object keys (which one wins differs between parsers, a
 * classic signature-confusion vector), lone UTF-16 surrogates (not representable in
 * RFC 8785 output), numbers that overflow to Infinity, and nesting deeper than
 * {@link MAX_JSON_DEPTH} (which would otherwise exhaust the stack here or in canonicalization).
 *
 * @param text - the JSON text
 * @param source - a name for the input (file path, server name) used in error messages
 * @throws InputError with code `JSON_INVALID`, `JSON_DUPLICATE_KEY`, `JSON_LONE_SURROGATE`,
 *   `JSON_NON_FINITE` or `JSON_TOO_DEEP`, naming the source and the JSON pointer of the problem
 */
export function parseStrictJson(text: string, source: string): unknown {
  return readStrictJson(text, source).value;
}

/** What {@link readStrictJson} found besides the value. */
export interface StrictJson {
  /** `JSON.parse`'s value of the text. */
  value: unknown;
  /** Whether some object has an own member named `__proto__` (see `protoMemberPointer`). */
  protoMember: boolean;
  /** Where the value of the top-level member `spanOf` is in the text (`[start, end)`), when asked, found and the text is clean. */
  span?: [number, number];
}

/**
 * {@link parseStrictJson}, also telling whether an object has a `__proto__` member and where
 * the value of the top-level member `spanOf` is (a proxy relabels a message's `id` in place
 * and forwards the rest of the bytes it checked). Same rules, same errors.
 */
export function readStrictJson(text: string, source: string, spanOf?: string): StrictJson {
  const value = parseJson(text, source);
  // The fast pass knows no pointers: when it finds a problem (or cannot decide: raw lone
  // surrogates), the reference pass decides and names the problem.
  if (!text.isWellFormed() || !FAST.scan(text, spanOf)) {
    checkStrictJsonText(text, source);
    return { value, protoMember: protoKeyIn(value) };
  }
  const span = FAST.span;
  return span === undefined ? { value, protoMember: FAST.proto } : { value, protoMember: FAST.proto, span };
}

/**
 * The reference pass over text that `JSON.parse` accepted: throws the InputError
 * {@link parseStrictJson} names for its first problem, or returns. {@link readStrictJson}
 * runs it only when its fast pass found a problem; the property tests hold the two equal.
 */
export function checkStrictJsonText(text: string, source: string): void {
  new StrictScanner(text, source).scanDocument();
}

/** What {@link parseStrictJsonCanonical} returns. */
export interface StrictJsonDocument {
  /** The parsed value, as {@link parseStrictJson} returns it. */
  value: unknown;
  /**
   * The exact text of a member of the top-level object when that text is already RFC 8785
   * (no whitespace, members in UTF-16 code-unit order, canonical string escapes and number
   * forms), so `canonicalText(JSON.parse(text)) === text`; undefined when it is not (or the
   * document is not an object, or has no such member).
   */
  canonicalMember(key: string): string | undefined;
}

/**
 * {@link parseStrictJson}, and in the same pass over the text it notes which members of the
 * top-level object are written in RFC 8785 form, so that a caller hashing the canonical bytes
 * of one of them (a signed statement's predicate) can hash the text it already has instead of
 * canonicalizing the parsed value again. Every refusal of `parseStrictJson` is kept.
 *
 * @throws InputError as {@link parseStrictJson}
 */
export function parseStrictJsonCanonical(text: string, source: string): StrictJsonDocument {
  const value = parseJson(text, source);
  const scanner = new StrictScanner(text, source, true);
  scanner.scanDocument();
  const spans = scanner.canonicalSpans;
  return { value, canonicalMember: (key) => { const span = spans.get(key); return span ? text.slice(span[0], span[1]) : undefined; } };
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 quotes the start of the text in its message, newlines and all: keep the error one line.
    const detail = escapeTerminal((err as Error).message);
    throw new InputError('JSON_INVALID', `${source} is not valid JSON (${detail}). Fix the file or point toolseal at the right one.`, { cause: err });
  }
}

/**
 * Deepest nesting of arrays and objects accepted. Real tool schemas nest a few dozen
 * levels at most; RFC 8785 canonicalization recurses and overflows the stack near 2,000.
 */
export const MAX_JSON_DEPTH = 512;

/** Where a pointer is, in words: the root pointer "" is not "/" (that names the key ""). */
function where(pointer: string): string {
  return pointer === '' ? 'the top level' : pointer;
}

/**
 * A second pass over text that `JSON.parse` already accepted: it only has to find the
 * problems above, so it can assume the grammar is valid. The path is kept as a stack of
 * tokens and joined into a pointer only for an error message: building a pointer for
 * every value made this pass several times slower than `JSON.parse` itself.
 *
 * With `track`, it also notes whether each member of a top-level object is written in
 * RFC 8785 form (see {@link parseStrictJsonCanonical}); that costs a comparison per key and
 * a check per escaped string and per number, nothing per plain character.
 */
class StrictScanner {
  private i = 0;
  private readonly path: string[] = [];
  /** While tracking: whether the text since the current top-level member's value began is RFC 8785. */
  private canonical = true;
  /** Top-level members whose value is written in RFC 8785 form: key → [start, end) of its text. */
  readonly canonicalSpans = new Map<string, [number, number]>();
  /** Well-formed text (all UTF-8 decoded text is) can hold a lone surrogate only as an escape. */
  private readonly wellFormed: boolean;

  constructor(private readonly text: string, private readonly source: string, private readonly track = false) {
    this.wellFormed = text.isWellFormed();
  }

  scanDocument(): void {
    this.skipWs();
    this.scanValue(0);
  }

  private pointer(extra?: string): string {
    const tokens = extra === undefined ? this.path : [...this.path, extra];
    return tokens.map((t) => `/${escapePointer(t)}`).join('');
  }

  private skipWs(): void {
    const start = this.i;
    for (let c = this.text.charCodeAt(this.i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = this.text.charCodeAt(this.i)) this.i++;
    if (this.i !== start) this.canonical = false; // RFC 8785 writes no whitespace
  }

  private scanValue(depth: number): void {
    const c = this.text.charCodeAt(this.i);
    if ((c === OPEN_BRACE || c === OPEN_BRACKET) && depth >= MAX_JSON_DEPTH) {
      throw new InputError('JSON_TOO_DEEP', `${this.source} nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (at ${where(this.pointer()).slice(0, 60)}…); toolseal refuses such documents. Flatten the data.`);
    }
    if (c === OPEN_BRACE) this.scanObject(depth + 1);
    else if (c === OPEN_BRACKET) this.scanArray(depth + 1);
    else if (c === QUOTE) this.scanString(false);
    else this.scanLiteral();
  }

  private scanObject(depth: number): void {
    this.i++;
    this.skipWs();
    if (this.text.charCodeAt(this.i) === CLOSE_BRACE) { this.i++; return; }
    // Keys in strictly ascending order cannot repeat, so a set is built only once the order breaks.
    let last: string | undefined;
    let seen: Set<string> | undefined;
    const keys: string[] = [];
    for (;;) {
      this.skipWs();
      const key = this.scanString(true)!;
      if (seen === undefined && last !== undefined && !(last < key)) {
        seen = new Set(keys);
        this.canonical = false; // RFC 8785 sorts members by UTF-16 code units
      }
      if (seen?.has(key)) {
        throw new InputError('JSON_DUPLICATE_KEY', `${this.source} has the key ${JSON.stringify(key)} twice in the object at ${where(this.pointer())} (${this.pointer(key)}); duplicate keys are ambiguous and refused. Remove one of them.`);
      }
      if (seen) seen.add(key); else keys.push(key);
      last = key;
      this.skipWs();
      this.i++; // ':'
      this.skipWs();
      this.path.push(key);
      this.scanMember(key, depth);
      this.path.pop();
      this.skipWs();
      if (this.text.charCodeAt(this.i++) === CLOSE_BRACE) return;
    }
  }

  /** One member's value; at the top level, while tracking, notes whether its text is RFC 8785. */
  private scanMember(key: string, depth: number): void {
    if (!this.track || depth !== 1) return this.scanValue(depth);
    const start = this.i;
    this.canonical = true;
    this.scanValue(depth);
    if (this.canonical) this.canonicalSpans.set(key, [start, this.i]);
  }

  private scanArray(depth: number): void {
    this.i++;
    this.skipWs();
    if (this.text.charCodeAt(this.i) === CLOSE_BRACKET) { this.i++; return; }
    for (let index = 0; ; index++) {
      this.skipWs();
      this.path.push(String(index));
      this.scanValue(depth);
      this.path.pop();
      this.skipWs();
      if (this.text.charCodeAt(this.i++) === CLOSE_BRACKET) return;
    }
  }

  /**
   * Checks that surrogates come in pairs; returns the decoded string when `wanted` (keys).
   * A string without escapes is its raw text, and that is already its RFC 8785 form (JSON.parse
   * refused raw control characters); with escapes, the RFC 8785 form is JSON.stringify's.
   */
  private scanString(wanted: boolean): string | undefined {
    const text = this.text;
    const start = this.i + 1;
    let end = start;
    let escaped = false;
    for (let c = text.charCodeAt(end); c !== QUOTE; c = text.charCodeAt(end)) {
      if (c === BACKSLASH) { escaped = true; end += 2; } else end += 1;
    }
    this.i = end + 1;
    if (!escaped) {
      if (this.wellFormed && !wanted) return undefined;
      const raw = text.slice(start, end);
      if (!this.wellFormed && !raw.isWellFormed()) throw this.loneSurrogate();
      return raw;
    }
    const literal = text.slice(start - 1, end + 1);
    const decoded = JSON.parse(literal) as string;
    if (!decoded.isWellFormed()) throw this.loneSurrogate();
    if (this.track && this.canonical && JSON.stringify(decoded) !== literal) this.canonical = false;
    return decoded;
  }

  private loneSurrogate(): InputError {
    return new InputError('JSON_LONE_SURROGATE', `${this.source} has a string with an unpaired UTF-16 surrogate at ${where(this.pointer())}; it cannot be canonicalized. Fix the string's encoding.`);
  }

  private scanLiteral(): void {
    const start = this.i;
    while (this.i < this.text.length && !LITERAL_END.has(this.text.charCodeAt(this.i))) this.i++;
    const first = this.text.charCodeAt(start);
    // Only numbers can overflow; true, false and null cannot, and are written one way.
    if ((first === MINUS || (first >= DIGIT_0 && first <= DIGIT_9))) {
      const token = this.text.slice(start, this.i);
      const number = Number(token);
      if (!Number.isFinite(number)) {
        throw new InputError('JSON_NON_FINITE', `${this.source} has the number ${token.slice(0, 40)} at ${where(this.pointer())}, which overflows to infinity. Use a smaller number.`);
      }
      // RFC 8785 writes a number as ECMAScript does (and -0 as 0).
      if (this.track && this.canonical && JSON.stringify(number) !== token) this.canonical = false;
    }
  }
}

const [OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, QUOTE, BACKSLASH, MINUS, DIGIT_0, DIGIT_9] =
  ['{', '}', '[', ']', '"', '\\', '-', '0', '9'].map((c) => c.charCodeAt(0)) as [number, number, number, number, number, number, number, number, number];
const LITERAL_END = new Set([0x20, 0x09, 0x0a, 0x0d, 0x2c /* , */, 0x5d /* ] */, 0x7d /* } */]);

/** RFC 6901 escaping of one reference token. */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Whether some object in a parsed value has an own `__proto__` member (only on the reference path). */
function protoKeyIn(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(protoKeyIn);
  return Object.hasOwn(value, '__proto__') || Object.values(value).some(protoKeyIn);
}

/** Objects with more members than this check duplicates with a Set instead of a linear search. */
const LINEAR_KEYS = 12;

/**
 * The fast pass of {@link readStrictJson}, over well-formed text that `JSON.parse` accepted:
 * the same rules as {@link StrictScanner}, without building a path or slicing keys (a key is
 * its span of the text, compared in place; only objects past {@link LINEAR_KEYS} members
 * put their keys in a Set), skipping string contents with `indexOf`. A key with an escape
 * is left to the reference pass (rare, and its decoding is what the rule is about).
 * `scan()` returns false at the first problem or doubt. One instance serves every document
 * (a scan runs to its end synchronously); it keeps numbers only, never a piece of the text.
 */
class FastScanner {
  private text = '';
  private spanOf: string | undefined;
  private i = 0;
  private backslash = -1;
  proto = false;
  span: [number, number] | undefined;
  /** Start and end of each key of the objects being scanned, two numbers a key, one list per depth. */
  private readonly keys: number[][] = [];

  /** True when `text` breaks none of the rules; then `proto` and `span` describe it. */
  scan(text: string, spanOf: string | undefined): boolean {
    this.text = text;
    this.spanOf = spanOf;
    this.i = 0;
    this.backslash = -1;
    this.proto = false;
    this.span = undefined;
    this.skipWs();
    const clean = this.value(0);
    this.text = '';
    return clean;
  }

  private skipWs(): void {
    const text = this.text;
    let i = this.i;
    for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(++i));
    this.i = i;
  }

  private value(depth: number): boolean {
    const c = this.text.charCodeAt(this.i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth >= MAX_JSON_DEPTH) return false;
      return c === OPEN_BRACE ? this.object(depth + 1) : this.array(depth + 1);
    }
    if (c === QUOTE) return this.string() >= 0;
    return this.literal();
  }

  private object(depth: number): boolean {
    let spans = this.keys[depth];
    if (spans === undefined) {
      spans = [];
      this.keys[depth] = spans;
    }
    let count = 0;
    let set: Set<string> | undefined;
    this.i++;
    this.skipWs();
    if (this.text.charCodeAt(this.i) === CLOSE_BRACE) { this.i++; return true; }
    for (;;) {
      this.skipWs();
      const start = this.i + 1;
      if (this.string() !== 0) return false; // a lone surrogate, or an escaped key: the reference decides
      const end = this.i - 1;
      if (set !== undefined) {
        const key = this.text.slice(start, end);
        if (set.has(key)) return false;
        set.add(key);
      } else {
        if (this.seen(spans, count, start, end)) return false;
        spans[2 * count] = start;
        spans[2 * count + 1] = end;
        if (++count > LINEAR_KEYS) set = this.keySet(spans, count);
      }
      if (end - start === 9 && this.text.startsWith('__proto__', start)) this.proto = true;
      this.skipWs();
      this.i++; // ':'
      this.skipWs();
      const valueStart = this.i;
      if (!this.value(depth)) return false;
      if (depth === 1 && this.spanOf !== undefined && end - start === this.spanOf.length && this.text.startsWith(this.spanOf, start)) this.span = [valueStart, this.i];
      this.skipWs();
      if (this.text.charCodeAt(this.i++) === CLOSE_BRACE) return true;
    }
  }

  /** Whether the text from `start` to `end` equals one of the first `count` keys in `spans`. */
  private seen(spans: number[], count: number, start: number, end: number): boolean {
    const text = this.text;
    const length = end - start;
    for (let k = 0; k < count; k++) {
      const s = spans[2 * k]!;
      if (spans[2 * k + 1]! - s !== length) continue;
      let j = 0;
      while (j < length && text.charCodeAt(s + j) === text.charCodeAt(start + j)) j++;
      if (j === length) return true;
    }
    return false;
  }

  private keySet(spans: number[], count: number): Set<string> {
    const set = new Set<string>();
    for (let k = 0; k < count; k++) set.add(this.text.slice(spans[2 * k]!, spans[2 * k + 1]!));
    return set;
  }

  private array(depth: number): boolean {
    this.i++;
    this.skipWs();
    if (this.text.charCodeAt(this.i) === CLOSE_BRACKET) { this.i++; return true; }
    for (;;) {
      this.skipWs();
      if (!this.value(depth)) return false;
      this.skipWs();
      if (this.text.charCodeAt(this.i++) === CLOSE_BRACKET) return true;
    }
  }

  /**
   * Skips a string: 0 when it has no escape, 1 when it has escapes and is fine, -1 when it
   * decodes to a lone surrogate. The text is well-formed, so only a `\u` escape can make one.
   */
  private string(): number {
    const text = this.text;
    const start = this.i + 1;
    let from = start;
    let end: number;
    let escaped = false;
    for (;;) {
      end = text.indexOf('"', from);
      if (this.backslash < from && this.backslash !== Infinity) {
        const next = text.indexOf('\\', from);
        this.backslash = next === -1 ? Infinity : next;
      }
      if (this.backslash > end) break;
      // An escape before the quote: skip it (it may escape that very quote) and look again.
      escaped = true;
      from = this.backslash + 2;
    }
    this.i = end + 1;
    if (!escaped) return 0;
    if (!hasUnicodeEscape(text, start, end)) return 1;
    return (JSON.parse(text.slice(start - 1, end + 1)) as string).isWellFormed() ? 1 : -1;
  }

  /** true, false, null or a number: false only for a number that overflows to infinity. */
  private literal(): boolean {
    const text = this.text;
    const start = this.i;
    let i = start;
    let exponent = false;
    for (let c = text.charCodeAt(i); !(c === 0x2c || c === 0x5d || c === 0x7d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || Number.isNaN(c)); c = text.charCodeAt(++i)) {
      if (c === 0x65 || c === 0x45) exponent = true;
    }
    this.i = i;
    const first = text.charCodeAt(start);
    if (first !== MINUS && !(first >= DIGIT_0 && first <= DIGIT_9)) return true;
    // Without an exponent only an integer part of more than 308 digits can overflow.
    return (!exponent && i - start < 300) || Number.isFinite(Number(text.slice(start, i)));
  }
}

/** Whether the string contents from `start` to `end` hold a `\u` escape (an escaped backslash before a `u` is none). */
function hasUnicodeEscape(text: string, start: number, end: number): boolean {
  for (let j = start; j < end; j++) {
    if (text.charCodeAt(j) !== BACKSLASH) continue;
    if (text.charCodeAt(j + 1) === 0x75 /* u */) return true;
    j++; // skip the escaped character
  }
  return false;
}

const FAST = new FastScanner();
