import { InputError } from '../../src/internal.js';

/**
 * Splits the `command` input into argv without a shell: nothing is expanded, substituted or
 * globbed, so `$(...)`, `;`, `|`, `*` and `~` reach the server as plain characters.
 *
 * Two forms:
 * - a JSON array of strings, `["node", "dist/server.js", "--stdio"]`: exact, for arguments
 *   that hold quotes or backslashes;
 * - words separated by whitespace (newlines included), where `'...'` keeps everything
 *   literally, `"..."` keeps everything but `\"` and `\\`, and outside quotes `\` escapes the
 *   next character: `npx -y "@acme/weather server"`.
 *
 * @throws InputError `COMMAND_INVALID` for an unterminated quote, a trailing backslash, a
 *   JSON array holding anything but strings, or an empty command
 */
export function splitCommandLine(text: string): string[] {
  const trimmed = text.trim();
  const argv = trimmed.startsWith('[') ? fromJsonArray(trimmed) : splitWords(trimmed);
  if (argv.length === 0 || argv[0] === '') throw invalid('The command input is empty; give the program to run first, e.g. node dist/server.js.');
  return argv;
}

function fromJsonArray(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid(`The command input starts with "[" but is not a JSON array (${(err as Error).message}). Write it as ["program", "arg", ...] or as plain words.`);
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw invalid('The command input as JSON must be an array of strings, e.g. ["node", "dist/server.js"].');
  }
  return value;
}

function splitWords(text: string): string[] {
  const words: string[] = [];
  // `inWord` and not `word !== ''`: a quoted empty string ("") is an argument of its own.
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i]!;
      else word += ch;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (ch === "'" || ch === '"') quote = ch;
      else if (ch !== '\\') word += ch;
      else if (i + 1 < text.length) word += text[++i]!;
      else throw invalid('The command input ends with a backslash; escape it as \\\\ or quote it.');
    }
  }
  if (quote) throw invalid(`The command input has an unterminated ${quote === '"' ? 'double' : 'single'} quote.`);
  if (inWord) words.push(word);
  return words;
}

function invalid(message: string): InputError {
  return new InputError('COMMAND_INVALID', message);
}
