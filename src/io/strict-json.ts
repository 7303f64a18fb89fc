import { InputError } from '../errors.js';

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
    throw new InputError('JSON_INVALID', `${source} is not valid JSON (${(err as Error).message}). Fix the file or point toolseal at the right one.`, { cause: err });
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
 * three problems above, so it can assume the grammar is valid.
 */
class StrictScanner {
  private i = 0;
  constructor(private readonly text: string, private readonly source: string) {}

  scanDocument(): void {
    this.skipWs();
    this.scanValue('');
  }

  private skipWs(): void {
    while (this.i < this.text.length && WS.has(this.text.charCodeAt(this.i))) this.i++;
  }

  private scanValue(pointer: string, depth = 0): void {
    const c = this.text[this.i];
    if ((c === '{' || c === '[') && depth >= MAX_JSON_DEPTH) {
      throw new InputError('JSON_TOO_DEEP', `${this.source} nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (at ${where(pointer).slice(0, 60)}…); toolseal refuses such documents. Flatten the data.`);
    }
    if (c === '{') this.scanObject(pointer, depth + 1);
    else if (c === '[') this.scanArray(pointer, depth + 1);
    else if (c === '"') this.scanString(pointer);
    else this.scanLiteral(pointer);
  }

  private scanObject(pointer: string, depth: number): void {
    const seen = new Set<string>();
    this.i++;
    this.skipWs();
    if (this.text[this.i] === '}') { this.i++; return; }
    for (;;) {
      this.skipWs();
      const key = this.scanString(pointer);
      const child = `${pointer}/${escapePointer(key)}`;
      if (seen.has(key)) {
        throw new InputError('JSON_DUPLICATE_KEY', `${this.source} has the key ${JSON.stringify(key)} twice in the object at ${where(pointer)} (${child}); duplicate keys are ambiguous and refused. Remove one of them.`);
      }
      seen.add(key);
      this.skipWs();
      this.i++; // ':'
      this.skipWs();
      this.scanValue(child, depth);
      this.skipWs();
      if (this.text[this.i++] === '}') return;
    }
  }

  private scanArray(pointer: string, depth: number): void {
    this.i++;
    this.skipWs();
    if (this.text[this.i] === ']') { this.i++; return; }
    for (let index = 0; ; index++) {
      this.skipWs();
      this.scanValue(`${pointer}/${index}`, depth);
      this.skipWs();
      if (this.text[this.i++] === ']') return;
    }
  }

  /** Returns the decoded string; checks that surrogates come in pairs. */
  private scanString(pointer: string): string {
    const start = this.i;
    this.i++;
    let end = this.i;
    while (this.text[end] !== '"') end += this.text[end] === '\\' ? 2 : 1;
    this.i = end + 1;
    const decoded = JSON.parse(this.text.slice(start, this.i)) as string;
    if (!decoded.isWellFormed()) {
      throw new InputError('JSON_LONE_SURROGATE', `${this.source} has a string with an unpaired UTF-16 surrogate at ${where(pointer)}; it cannot be canonicalized. Fix the string's encoding.`);
    }
    return decoded;
  }

  private scanLiteral(pointer: string): void {
    const start = this.i;
    while (this.i < this.text.length && !/[\s,\]}]/.test(this.text[this.i]!)) this.i++;
    const token = this.text.slice(start, this.i);
    if (/^-?\d/.test(token) && !Number.isFinite(Number(token))) {
      throw new InputError('JSON_NON_FINITE', `${this.source} has the number ${token.slice(0, 40)} at ${where(pointer)}, which overflows to infinity. Use a smaller number.`);
    }
  }
}

/** RFC 6901 escaping of one reference token. */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
