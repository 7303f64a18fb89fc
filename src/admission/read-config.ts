import { stat } from 'node:fs/promises';
import { parse as parseToml } from 'smol-toml';
import { InputError } from '../errors.js';
import { parseStrictJson } from '../io/strict-json.js';
import { readTextFile } from '../io/files.js';
import { serverFromEntry, type RawEntry } from './entry.js';
import { parseJsonc } from './jsonc.js';
import type { ClientId, ConfigFile, ConfiguredServer } from './model.js';
import { innerServer } from './wrapped.js';

/** How each client's file is written: JSON, JSON with comments (VS Code, Gemini CLI), or TOML (Codex). */
export const CONFIG_FORMATS: Record<ClientId, 'json' | 'jsonc' | 'toml'> = {
  'claude-desktop': 'json', 'claude-code': 'json', cursor: 'json', vscode: 'jsonc', windsurf: 'json', 'gemini-cli': 'jsonc', codex: 'toml',
};

/** A configuration file as read: its servers and the parsed document. */
export interface ReadConfig {
  file: ConfigFile;
  servers: ConfiguredServer[];
  document: Record<string, unknown>;
}

/**
 * Reads one client configuration file in that client's format and returns every MCP server it
 * declares (disabled ones included, marked; wrapped ones as the server behind the proxy, marked).
 * `undefined` when the file does not exist.
 *
 * @throws InputError `FILE_UNREADABLE`, `FILE_NOT_UTF8`, `JSON_*`, `TOML_INVALID`,
 *   `CONFIG_INVALID`, `CONFIG_SERVER_INVALID`, each naming the file
 */
export async function readConfigFile(file: ConfigFile, options: { mustExist?: boolean } = {}): Promise<ReadConfig | undefined> {
  if (!options.mustExist && !(await exists(file.path))) return undefined;
  const document = parseConfigText(await readTextFile(file.path), file);
  const servers = entriesOf(document, file).map((raw) => innerServer(serverFromEntry(file.client, file.path, raw)));
  return { file, servers, document };
}

/** Parses a configuration file's text in its client's format; the top level must be an object. */
export function parseConfigText(text: string, file: ConfigFile): Record<string, unknown> {
  const format = CONFIG_FORMATS[file.client];
  let value: unknown;
  if (format === 'toml') {
    try {
      value = parseToml(text);
    } catch (err) {
      const detail = (err as Error).message.split('\n')[0];
      throw new InputError('TOML_INVALID', `${file.path} is not valid TOML (${detail}). Fix the file.`, { cause: err });
    }
  } else {
    value = format === 'jsonc' ? parseJsonc(text, file.path) : parseStrictJson(text, file.path);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError('CONFIG_INVALID', `${file.path} is not a ${file.client} configuration: its top level is not an object.`);
  }
  return value as Record<string, unknown>;
}

/** The key holding the servers in each client's file. */
export function serversKey(client: ClientId): string {
  if (client === 'vscode') return 'servers';
  if (client === 'codex') return 'mcp_servers';
  return 'mcpServers';
}

/** Every server entry in a document, with its pointer; `~/.claude.json` also has one list per project. */
function entriesOf(document: Record<string, unknown>, file: ConfigFile): RawEntry[] {
  const key = serversKey(file.client);
  const out = entriesIn(document[key], [key], file, file.workspace);
  if (file.client === 'claude-code' && file.scope === 'user' && isObject(document.projects)) {
    for (const [project, settings] of Object.entries(document.projects)) {
      if (isObject(settings)) out.push(...entriesIn(settings.mcpServers, ['projects', project, 'mcpServers'], file, project));
    }
  }
  return out;
}

function entriesIn(servers: unknown, at: string[], file: ConfigFile, workspace: string | undefined): RawEntry[] {
  if (servers === undefined) return [];
  if (!isObject(servers)) {
    throw new InputError('CONFIG_INVALID', `${file.path}: "${at.join('.')}" is not an object of named servers. Fix the file.`);
  }
  return Object.entries(servers).map(([name, value]) => ({ name, at: [...at, name], value, ...(workspace ? { workspace } : {}) }));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    return true; // exists but unreadable: readTextFile reports it
  }
}
