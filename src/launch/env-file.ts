import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';

/**
 * A variable name as `--env` and env files accept it: anything but `=`, NUL and white
 * space (npm reads names such as `npm_config_//registry.example/:_authToken`).
 */
export const ENV_NAME = /^[^=\0\s]+$/;

/**
 * Reads an env file: `NAME=value` lines (optionally `export NAME=value`), `#` comments and
 * blank lines, the common subset of dotenv and `node --env-file`. A value in single quotes
 * is taken literally; in double quotes `\n`, `\r`, `\t`, `\"` and `\\` are unescaped; an
 * unquoted value is trimmed and ends at ` #`. Anything else is refused with the file and
 * line number: a misread line would start the server with a different configuration than
 * its user wrote. Messages never quote a line (it may hold a secret).
 *
 * @throws InputError `ENV_FILE_UNREADABLE`, `ENV_FILE_INVALID`
 */
export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : `${code ?? 'read error'}`;
    throw new InputError('ENV_FILE_UNREADABLE', `Cannot read the env file ${path} (${why}); give a file of NAME=value lines.`);
  }
  return parseEnvFile(text, path);
}

/** Parses the text of an env file; `file` only names it in messages. See {@link readEnvFile}. */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const entry = parseLine(line.replace(/^export\s+/, ''));
    if (typeof entry === 'string') throw new InputError('ENV_FILE_INVALID', `${file} line ${i + 1}: ${entry}`);
    out[entry[0]] = entry[1];
  });
  return out;
}

function parseLine(line: string): [string, string] | string {
  const eq = line.indexOf('=');
  if (eq <= 0) return 'expected NAME=value.';
  const name = line.slice(0, eq).trim();
  if (!ENV_NAME.test(name)) return 'the variable name is empty or holds white space.';
  const value = parseValue(line.slice(eq + 1).trim());
  return typeof value === 'string' ? [name, value] : `the value of ${name} ${value.error}.`;
}

function parseValue(rest: string): string | { error: string } {
  const quote = rest[0];
  if (quote === '"' || quote === "'") {
    const end = closingQuote(rest, quote);
    if (end < 0) return { error: `has no closing ${quote} on the same line` };
    const after = rest.slice(end + 1).trim();
    if (after !== '' && !after.startsWith('#')) return { error: 'has text after its closing quote' };
    const body = rest.slice(1, end);
    return quote === "'" ? body : unescape(body);
  }
  const comment = rest.search(/\s#/);
  return (comment < 0 ? rest : rest.slice(0, comment)).trim();
}

function closingQuote(text: string, quote: string): number {
  for (let i = 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

function unescape(body: string): string {
  return body.replace(/\\(.)/g, (all, c: string) => ESCAPES[c] ?? all);
}
