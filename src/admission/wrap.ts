import { readFile, rm, stat } from 'node:fs/promises';
import { stringify as stringifyToml } from 'smol-toml';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/files.js';
import type { LockFile } from './lock.js';
import type { ConfigFile, ConfiguredServer } from './model.js';
import { CONFIG_FORMATS, readConfigFile } from './read-config.js';
import { HEADER_VARIABLE_PREFIX, proxyArgs, wrapMarkerIndex } from './wrapped.js';

/** The backup `wrap` keeps of a configuration file's bytes from before the first wrap. */
export function backupPath(configPath: string): string {
  return `${configPath}.toolseal-backup`;
}

/** Options of {@link wrapConfig}. */
export interface WrapOptions {
  /** The lock the proxy reads at every start (absolute path). */
  lockPath: string;
  /** The lock as it is now (which servers are approved). */
  lock?: LockFile;
  /** How the client starts toolseal: program and leading arguments, e.g. `['toolseal']` or `['node', '/opt/toolseal/dist/cli/main.js']`. */
  proxyCommand: string[];
  /** Leave servers the lock does not approve as they are, instead of quarantining them. */
  allowUnapproved?: boolean;
}

/** What {@link wrapConfig} did. */
export interface WrapResult {
  /** The file was rewritten (false when it already was wrapped exactly so). */
  changed: boolean;
  /** Servers now run behind `toolseal proxy --lock` and approved in the lock. */
  guarded: string[];
  /** Servers behind the proxy but not (yet) approved: the proxy refuses them until they are. */
  quarantined: string[];
  /** Servers left unwrapped (`allowUnapproved`). */
  untouched: string[];
  /** Servers that were already wrapped. */
  alreadyWrapped: string[];
  backup: string;
}

/**
 * Rewrites a client's configuration so that every server runs behind `toolseal proxy --lock
 * LOCK --server NAME`: a stdio server's command moves after `--`, an HTTP server becomes a stdio
 * proxy with `--upstream URL` (header values travel in the entry's `env`, never on a command
 * line). The proxy decides at every start: a server the lock approves runs pinned to its approved
 * bundle; any other is refused without being started (quarantine), so approving later needs no
 * re-wrap. The original bytes are kept in a backup (once: a second wrap never overwrites it),
 * the new file is written atomically with the original file mode, and wrapping a wrapped file
 * changes nothing. Comments of a JSONC or TOML file live on in the backup only.
 *
 * @throws InputError from reading the file; `FILE_UNWRITABLE`
 */
export async function wrapConfig(file: ConfigFile, options: WrapOptions): Promise<WrapResult> {
  const read = (await readConfigFile(file, { mustExist: true }))!;
  const original = await readFile(file.path);
  const result: WrapResult = { changed: false, guarded: [], quarantined: [], untouched: [], alreadyWrapped: [], backup: backupPath(file.path) };
  for (const server of read.servers) {
    const entry = entryAt(read.document, server.at);
    if (isWrapped(entry, server.name)) {
      result.alreadyWrapped.push(server.name);
      continue;
    }
    const approved = Boolean(options.lock && Object.hasOwn(options.lock.servers, server.name));
    if (!approved && options.allowUnapproved) {
      result.untouched.push(server.name);
      continue;
    }
    replaceEntry(read.document, server.at, wrappedEntry(entry, server, options));
    (approved ? result.guarded : result.quarantined).push(server.name);
  }
  const text = serialize(read.document, file);
  if (text === original.toString('utf8') || result.guarded.length + result.quarantined.length === 0) return result;
  const mode = (await stat(file.path)).mode & 0o777;
  if (!(await exists(result.backup))) await writeFileAtomic(result.backup, original, { mode });
  await writeFileAtomic(file.path, text, { mode });
  return { ...result, changed: true };
}

/**
 * Puts back the bytes `wrap` kept, exactly, and removes the backup.
 *
 * @throws InputError `UNWRAP_NO_BACKUP`, `FILE_UNWRITABLE`
 */
export async function unwrapConfig(path: string): Promise<{ restored: string }> {
  const backup = backupPath(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(backup);
  } catch {
    throw new InputError('UNWRAP_NO_BACKUP', `${path} has no toolseal backup (${backup}), so there is nothing to restore; it was not wrapped by toolseal, or was unwrapped already.`);
  }
  const mode = (await stat(backup)).mode & 0o777;
  await writeFileAtomic(path, bytes, { mode });
  await rm(backup, { force: true });
  return { restored: path };
}

type Obj = Record<string, unknown>;

function isWrapped(entry: Obj, name: string): boolean {
  return wrapMarkerIndex(Array.isArray(entry.args) ? entry.args : [], name) >= 0;
}

const HTTP_FIELDS = ['url', 'serverUrl', 'httpUrl', 'headers', 'http_headers', 'env_http_headers', 'bearer_token_env_var'];

function wrappedEntry(entry: Obj, server: ConfiguredServer, options: WrapOptions): Obj {
  const [program, ...lead] = options.proxyCommand;
  const base = [...lead, ...proxyArgs(options.lockPath, server.name)];
  if (server.transport === 'stdio') {
    return { ...entry, command: program, args: [...base, '--', server.command!, ...server.args] };
  }
  const out: Obj = Object.fromEntries(Object.entries(entry).filter(([k]) => !HTTP_FIELDS.includes(k)));
  const env: Record<string, string> = { ...(server.client === 'codex' ? {} : (entry.env as Record<string, string> | undefined)) };
  const args = [...base, '--upstream', server.url!];
  Object.entries(server.headers).forEach(([name, value], i) => {
    env[`${HEADER_VARIABLE_PREFIX}${i + 1}`] = value;
    args.push('--header-env', `${name}=${HEADER_VARIABLE_PREFIX}${i + 1}`);
  });
  const passthrough: string[] = [];
  for (const [name, template] of Object.entries(server.headerEnv)) {
    const variable = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(template)![1]!;
    args.push(template.startsWith('Bearer ') ? '--bearer-token-env' : '--header-env', template.startsWith('Bearer ') ? variable : `${name}=${variable}`);
    passthrough.push(variable);
  }
  if (typeof entry.type === 'string') out.type = 'stdio';
  if (server.client === 'codex' && passthrough.length > 0) out.env_vars = [...new Set([...(Array.isArray(entry.env_vars) ? entry.env_vars as string[] : []), ...passthrough])];
  return { ...out, command: program, args, ...(Object.keys(env).length > 0 ? { env } : {}) };
}

function entryAt(document: Obj, at: string[]): Obj {
  return at.reduce<Obj>((node, key) => node[key] as Obj, document);
}

function replaceEntry(document: Obj, at: string[], value: Obj): void {
  const parent = entryAt(document, at.slice(0, -1));
  parent[at[at.length - 1]!] = value;
}

function serialize(document: Obj, file: ConfigFile): string {
  return CONFIG_FORMATS[file.client] === 'toml' ? `${stringifyToml(document)}\n` : `${JSON.stringify(document, null, 2)}\n`;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
