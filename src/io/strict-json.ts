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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8 quotes the start of the text in its message, newlines and all: keep the error one line.
    const detail = escapeTerminal((err as Error).message);
    throw new InputError('JSON_INVALID', `${source} is not valid JSON (${detail}). Fix the file or point toolseal at the right one.`, { cause: err });
  }
  new StrictScanner(text, source).scanDocument();
  return value;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

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
 */
class StrictScanner {
  private i = 0;
  private readonly path: string[] = [];
  constructor(private readonly text: string, private readonly source: string) {}

  scanDocument(): void {
    this.skipWs();
    this.scanValue(0);
  }

  private pointer(extra?: string): string {
    const tokens = extra === undefined ? this.path : [...this.path, extra];
    return tokens.map((t) => `/${escapePointer(t)}`).join('');
  }

  private skipWs(): void {
    while (this.i < this.text.length && WS.has(this.text.charCodeAt(this.i))) this.i++;
  }

  private scanValue(depth: number): void {
    const c = this.text.charCodeAt(this.i);
    if ((c === OPEN_BRACE || c === OPEN_BRACKET) && depth >= MAX_JSON_DEPTH) {
      throw new InputError('JSON_TOO_DEEP', `${this.source} nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (at ${where(this.pointer()).slice(0, 60)}…); toolseal refuses such documents. Flatten the data.`);
    }
    if (c === OPEN_BRACE) this.scanObject(depth + 1);
    else if (c === OPEN_BRACKET) this.scanArray(depth + 1);
    else if (c === QUOTE) this.scanString();
    else this.scanLiteral();
  }

  private scanObject(depth: number): void {
    const seen = new Set<string>();
    this.i++;
    this.skipWs();
    if (this.text.charCodeAt(this.i) === CLOSE_BRACE) { this.i++; return; }
    for (;;) {
      this.skipWs();
      const key = this.scanString();
      if (seen.has(key)) {
        throw new InputError('JSON_DUPLICATE_KEY', `${this.source} has the key ${JSON.stringify(key)} twice in the object at ${where(this.pointer())} (${this.pointer(key)}); duplicate keys are ambiguous and refused. Remove one of them.`);
      }
      seen.add(key);
      this.skipWs();
      this.i++; // ':'
      this.skipWs();
      this.path.push(key);
      this.scanValue(depth);
      this.path.pop();
      this.skipWs();
      if (this.text.charCodeAt(this.i++) === CLOSE_BRACE) return;
    }
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

  /** Returns the decoded string; checks that surrogates come in pairs. */
  private scanString(): string {
    const start = this.i + 1;
    let end = start;
    let escaped = false;
    for (let c = this.text.charCodeAt(end); c !== QUOTE; c = this.text.charCodeAt(end)) {
      if (c === BACKSLASH) { escaped = true; end += 2; } else end += 1;
    }
    this.i = end + 1;
    // Without escapes the raw text is the value; only escapes need a real decode.
    const decoded = escaped ? (JSON.parse(this.text.slice(start - 1, end + 1)) as string) : this.text.slice(start, end);
    if (!decoded.isWellFormed()) {
      throw new InputError('JSON_LONE_SURROGATE', `${this.source} has a string with an unpaired UTF-16 surrogate at ${where(this.pointer())}; it cannot be canonicalized. Fix the string's encoding.`);
    }
    return decoded;
  }

  private scanLiteral(): void {
    const start = this.i;
    while (this.i < this.text.length && !LITERAL_END.has(this.text.charCodeAt(this.i))) this.i++;
    const first = this.text.charCodeAt(start);
    // Only numbers can overflow; true, false and null cannot.
    if ((first === MINUS || (first >= DIGIT_0 && first <= DIGIT_9))) {
      const token = this.text.slice(start, this.i);
      if (!Number.isFinite(Number(token))) {
        throw new InputError('JSON_NON_FINITE', `${this.source} has the number ${token.slice(0, 40)} at ${where(this.pointer())}, which overflows to infinity. Use a smaller number.`);
      }
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
