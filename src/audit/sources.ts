import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, ToolsealError } from '../errors.js';
import { readJsonFile } from '../io/files.js';
import { listEntry, type RawEntry, type SkipCounts } from './registry-entry.js';

export type { RawEntry } from './registry-entry.js';

/** What reading server.json files found, complete once the entries have been read. */
export interface FileListing {
  files: number;
  entries: number;
  skipped: SkipCounts;
  /** True once every file has been read. */
  done: boolean;
}

/**
 * Reads server.json documents from files and directories (every `*.json` directly in a
 * directory, in name order), one file at a time. A file may hold one server.json or a saved
 * registry page (`{"servers": [...]}`), so an offline snapshot of a registry can be audited
 * too; as with a registry, versions that are not the latest and deleted servers are skipped.
 * The files are what the user named, so one that is missing, unreadable or not strict JSON
 * stops the audit (exit 2); an entry inside that is not a server.json is a per-server finding.
 *
 * @throws InputError `SERVER_JSON_PATH_MISSING`, `SERVER_JSON_UNREADABLE` (from the iterator)
 */
export function readServerJsonFiles(paths: string[]): { listing: FileListing; entries: AsyncIterable<RawEntry> } {
  const listing: FileListing = { files: 0, entries: 0, skipped: { notLatest: 0, deleted: 0 }, done: false };
  return { listing, entries: walk(paths, listing) };
}

/** Reads every entry into memory (tests, small lists); {@link readServerJsonFiles} streams. */
export async function readServerJsonPaths(paths: string[]): Promise<RawEntry[]> {
  const entries: RawEntry[] = [];
  for await (const entry of readServerJsonFiles(paths).entries) entries.push(entry);
  return entries;
}

async function* walk(paths: string[], listing: FileListing): AsyncGenerator<RawEntry> {
  for (const path of paths) {
    for (const file of await expand(path)) {
      listing.files++;
      for (const [value, origin] of valuesOf(await readOne(file), file)) {
        const listed = listEntry(value, origin);
        if (listed.kind === 'skip') {
          listing.skipped[listed.why === 'deleted' ? 'deleted' : 'notLatest']++;
          continue;
        }
        listing.entries++;
        yield listed.entry;
      }
    }
  }
  listing.done = true;
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

async function readOne(file: string): Promise<unknown> {
  try {
    return await readJsonFile(file);
  } catch (err) {
    if (!(err instanceof ToolsealError)) throw err;
    throw new InputError('SERVER_JSON_UNREADABLE', `--server-json ${file} cannot be audited: ${err.message} Give a server.json file or a saved /servers page.`, { cause: err });
  }
}

/** A saved page yields each of its entries (with `#servers/<i>`), any other document itself. */
function valuesOf(value: unknown, file: string): [unknown, string][] {
  if (value !== null && typeof value === 'object' && Array.isArray((value as { servers?: unknown }).servers)) {
    return (value as { servers: unknown[] }).servers.map((entry, i) => [entry, `${file}#servers/${i}`]);
  }
  return [[value, file]];
}
