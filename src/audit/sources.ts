import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, ToolsealError } from '../errors.js';
import { readJsonFile } from '../io/files.js';

/**
 * One entry of a server list before validation: where it came from (a registry URL
 * with `#servers/<i>`, or a file path) and its JSON value, or why it could not be read.
 */
export type RawEntry =
  | { origin: string; value: unknown }
  | { origin: string; error: string };

/**
 * Reads server.json documents from files and directories (every `*.json` directly in a
 * directory, in name order). A file may hold one server.json or a saved registry page
 * (`{"servers": [...]}`), so an offline snapshot of a registry can be audited too.
 * A file that is not strict JSON becomes an entry with an error (reported as malformed);
 * a path that does not exist stops the audit, since it is a mistake in the command.
 *
 * @throws InputError `SERVER_JSON_PATH_MISSING`
 */
export async function readServerJsonPaths(paths: string[]): Promise<RawEntry[]> {
  const entries: RawEntry[] = [];
  for (const path of paths) {
    for (const file of await expand(path)) entries.push(...(await readOne(file)));
  }
  return entries;
}

async function expand(path: string): Promise<string[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    throw new InputError('SERVER_JSON_PATH_MISSING', `--server-json ${path} does not exist or cannot be read (${(err as Error).message}). Check the path.`, { cause: err });
  }
  if (!isDir) return [path];
  const names = (await readdir(path)).filter((n) => n.endsWith('.json') && !n.endsWith('.sigstore.json')).sort();
  return names.map((n) => join(path, n));
}

async function readOne(file: string): Promise<RawEntry[]> {
  let value: unknown;
  try {
    value = await readJsonFile(file);
  } catch (err) {
    if (err instanceof ToolsealError) return [{ origin: file, error: err.message }];
    throw err;
  }
  if (value !== null && typeof value === 'object' && Array.isArray((value as { servers?: unknown }).servers)) {
    return ((value as { servers: unknown[] }).servers).map((entry, i) => ({ origin: `${file}#servers/${i}`, value: unwrapEntry(entry) }));
  }
  return [{ origin: file, value }];
}

/** A saved registry page wraps each server.json as `{server, _meta}`. */
function unwrapEntry(entry: unknown): unknown {
  return entry !== null && typeof entry === 'object' && 'server' in entry ? (entry as { server: unknown }).server : entry;
}
