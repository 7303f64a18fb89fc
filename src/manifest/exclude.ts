import { ManifestError } from '../errors.js';
import { isListName, LIST_KEYS } from './lists.js';

/**
 * Removes every value addressed by the `exclude` paths from a copy of `document`.
 * A path is `/`-separated RFC 6901 tokens, where a token of exactly `*` matches any key
 * of an object or any index of an array at that level. Applied identically at capture
 * and at compare, so the signer and the verifier strip exactly the same bytes.
 *
 * Excluding a whole list entry (e.g. `/tools/3`) is refused: exclusion exists for
 * values that vary between runs, not for hiding tools from the signature. So is excluding
 * an entry's key (a tool's `name`, or `*` in the field position, which includes it): the
 * stripped entries would all be keyless, and a verifier could no longer tell which signed
 * entry a live one is.
 */
export function applyExclude<T>(document: T, paths: readonly string[]): T {
  if (paths.length === 0) return document;
  const copy = structuredClone(document);
  for (const path of paths) removePath(copy, parseExcludePath(path), path);
  return copy;
}

/** Splits an exclude path into unescaped tokens, refusing paths that would drop whole entries. */
export function parseExcludePath(path: string): string[] {
  if (!path.startsWith('/')) {
    throw new ManifestError('EXCLUDE_PATH_INVALID', `The exclude path "${path}" must start with "/", e.g. /tools/*/_meta/traceId.`);
  }
  const tokens = path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  const [root] = tokens;
  if (root === 'mediaType' || root === 'canonicalization' || root === 'exclude' || root === 'capture') {
    throw new ManifestError('EXCLUDE_PATH_INVALID', `The exclude path "${path}" would remove /${root}, which every manifest must keep.`);
  }
  if (tokens.length <= 2 && isListName(root)) {
    throw new ManifestError('EXCLUDE_PATH_INVALID', `The exclude path "${path}" would remove whole entries; exclude only fields inside an entry, e.g. /${root}/*/_meta.`);
  }
  const keyField = isListName(root) ? LIST_KEYS[root] : undefined;
  if (keyField !== undefined && tokens.length === 3 && (tokens[2] === keyField || tokens[2] === '*')) {
    throw new ManifestError('EXCLUDE_PATH_INVALID', `The exclude path "${path}" would remove each entry's ${keyField}, which identifies the entry; exclude only other fields, e.g. /${root}/*/_meta.`);
  }
  return tokens;
}

/**
 * Entry fields a model is not shown: `_meta` (protocol metadata for clients), `icons` (for the
 * user's UI) and a resource's `size`. Everything else in an entry, named or not yet named by
 * the spec, is treated as model-visible, so a field MCP adds later is checked by default.
 */
const NOT_MODEL_VISIBLE = new Set(['_meta', 'icons', 'size']);

/**
 * The exclude paths that cover text a model reads: names, titles, descriptions, schemas,
 * annotations, prompt arguments, `instructions`, the server's name, version and title, or
 * (through `*`) possibly any of them. Signing such a manifest leaves exactly what an attacker
 * would change unchecked, so a verifier refuses it unless its policy allows the path by name.
 * Only `/<list>/<key or *>/<field>/...` paths whose field is `_meta`, `icons` or `size` are not.
 */
export function modelVisibleExcludes(paths: readonly string[]): string[] {
  return paths.filter((path) => {
    const tokens = path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    const inEntry = Object.hasOwn(LIST_KEYS, tokens[0]!) && tokens.length >= 3;
    return !(inEntry && NOT_MODEL_VISIBLE.has(tokens[2]!));
  });
}

function removePath(node: unknown, tokens: string[], path: string): void {
  if (node === null || typeof node !== 'object' || tokens.length === 0) return;
  const [head, ...rest] = tokens as [string, ...string[]];
  const keys = head === '*' ? Object.keys(node) : [head];
  for (const key of keys) {
    if (!Object.hasOwn(node, key)) continue;
    if (rest.length > 0) {
      removePath((node as Record<string, unknown>)[key], rest, path);
    } else if (Array.isArray(node)) {
      throw new ManifestError('EXCLUDE_PATH_INVALID', `The exclude path "${path}" ends on an array element; exclude an object field instead.`);
    } else {
      delete (node as Record<string, unknown>)[key];
    }
  }
}
