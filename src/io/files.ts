import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { parseStrictJson } from './strict-json.js';

/**
 * Reads a UTF-8 JSON file strictly (see {@link parseStrictJson}). Invalid UTF-8 is refused
 * rather than replaced, because a replaced byte would change what was signed.
 *
 * @throws InputError `FILE_UNREADABLE`, `FILE_NOT_UTF8` or any strict-JSON code
 */
export async function readJsonFile(path: string): Promise<unknown> {
  return parseStrictJson(await readTextFile(path), path);
}

/** Reads a file as strict UTF-8 text, with an actionable error when it cannot. */
export async function readTextFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`;
    throw new InputError('FILE_UNREADABLE', `${path} ${reason}. Check the path.`, { cause: err });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new InputError('FILE_NOT_UTF8', `${path} is not valid UTF-8. Re-save it as UTF-8.`, { cause: err });
  }
}

/**
 * Writes a file so that readers see either the old content or the new, never half:
 * write to a temporary sibling, then rename over the target (atomic on POSIX).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
  await replaceFileAtomic(path, (tmp) => writeFile(tmp, data, { mode: options.mode ?? 0o644, flag: 'wx' }));
}

/**
 * Replaces `path` as {@link writeFileAtomic} does, with `write` filling the temporary sibling
 * (created new, e.g. with flag `wx`): for content written as a stream.
 *
 * @throws InputError `FILE_UNWRITABLE`; the temporary file is removed
 */
export async function replaceFileAtomic(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await write(tmp);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new InputError('FILE_UNWRITABLE', `Could not write ${path} (${(err as Error).message}). Check that the directory exists and is writable.`, { cause: err });
  }
}

/**
 * Checks, before expensive or irreversible work (a keyless signature is logged in Rekor for
 * good), that `path` can be written: its directory exists and is writable.
 *
 * @throws InputError `FILE_UNWRITABLE`
 */
export async function assertWritableDestination(path: string): Promise<void> {
  const dir = dirname(path);
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new InputError('FILE_UNWRITABLE', `Cannot write ${path}: the directory ${dir} does not exist or is not writable. Create it or choose another path.`, { cause: err });
  }
}

/**
 * Makes `path` ready to be written before expensive or irreversible work: creates its
 * directory (and parents) when missing, then checks as {@link assertWritableDestination}
 * does. For outputs whose folder the user should not have to create first.
 *
 * @throws InputError `FILE_UNWRITABLE`
 */
export async function prepareDestination(path: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (err) {
    throw new InputError('FILE_UNWRITABLE', `Cannot write ${path}: its directory ${dirname(path)} cannot be created (${(err as Error).message}). Choose another path.`, { cause: err });
  }
  await assertWritableDestination(path);
}
