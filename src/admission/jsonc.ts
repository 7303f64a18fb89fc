import { InputError } from '../errors.js';
import { parseStrictJson } from '../io/strict-json.js';

/**
 * Parses JSON with comments (`//`, `/* *\/`) and trailing commas, as VS Code and Gemini CLI
 * read their settings, and then strictly (see `parseStrictJson`: duplicate keys, lone
 * surrogates and overflowing numbers are refused, because the client would silently pick one
 * reading and toolseal must check the one it runs). Comments and trailing commas become
 * spaces, so every offset in an error message still points into the original text.
 *
 * @throws InputError `JSON_INVALID` (also for an unterminated comment) or any strict-JSON code
 */
export function parseJsonc(text: string, source: string): unknown {
  return parseStrictJson(stripJsonc(text, source), source);
}

/** Replaces comments and trailing commas by spaces, leaving strings untouched. */
export function stripJsonc(text: string, source: string): string {
  const out = text.split('');
  let lastSignificant = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      i = endOfString(text, i);
      lastSignificant = i;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = blank(out, i, end < 0 ? text.length : end) - 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new InputError('JSON_INVALID', `${source} has a comment that is never closed (a "/*" without "*/"). Close it or remove it.`);
      i = blank(out, i, end + 2) - 1;
    } else if ((c === '}' || c === ']') && lastSignificant >= 0 && text[lastSignificant] === ',') {
      out[lastSignificant] = ' ';
      lastSignificant = i;
    } else if (!/\s/.test(c)) {
      lastSignificant = i;
    }
  }
  return out.join('');
}

/** The index of the closing quote of the string opened at `start` (or the end of the text). */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

/** Blanks `out[from, to)` except newlines (so line numbers stay), returning `to`. */
function blank(out: string[], from: number, to: number): number {
  for (let j = from; j < to; j++) if (out[j] !== '\n' && out[j] !== '\r') out[j] = ' ';
  return to;
}
