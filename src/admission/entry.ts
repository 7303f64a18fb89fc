import { InputError } from '../errors.js';
import type { ClientId, ConfiguredServer } from './model.js';

/** The entry of one server, with where it sits. */
export interface RawEntry {
  name: string;
  at: string[];
  value: unknown;
  workspace?: string;
}

type Obj = Record<string, unknown>;

/**
 * Turns one entry of a client's configuration into a {@link ConfiguredServer}, reading the
 * fields that client documents (`type`, `url`/`serverUrl`/`httpUrl`, `envFile`, Codex's
 * `env_vars`, `http_headers`, `env_http_headers`, `bearer_token_env_var`, `enabled`). A field
 * of the wrong type, or an entry naming neither a command nor a URL (or both), is refused
 * with the file and the server named: a guess would check something the client does not run.
 *
 * @throws InputError `CONFIG_SERVER_INVALID`
 */
export function serverFromEntry(client: ClientId, file: string, raw: RawEntry): ConfiguredServer {
  const bad = (what: string): InputError => new InputError('CONFIG_SERVER_INVALID', `${file}: the MCP server "${raw.name}" ${what}. Fix its entry in the file.`);
  if (raw.value === null || typeof raw.value !== 'object' || Array.isArray(raw.value)) throw bad('is not an object');
  const e = raw.value as Obj;
  const field = fieldReader(e, bad);
  const codex = client === 'codex';
  const command = field.string('command');
  const url = httpUrlOf(client, e, field);
  const transport = transportOf(client, e, field, command, url?.url, bad);
  const server: ConfiguredServer = {
    name: raw.name, client, file, at: raw.at, ...(raw.workspace ? { workspace: raw.workspace } : {}),
    transport,
    ...(command !== undefined ? { command } : {}),
    args: field.strings('args') ?? [],
    env: field.map('env') ?? {},
    ...optional('envFile', field.string('envFile')),
    ...optional('cwd', field.string('cwd')),
    envPassthrough: codex ? field.strings('env_vars') ?? [] : [],
    ...(url ? { url: url.url } : {}),
    headers: (codex ? field.map('http_headers') : field.map('headers')) ?? {},
    headerEnv: codex ? codexHeaderEnv(field) : {},
    disabled: field.bool('disabled') === true || field.bool('enabled') === false,
  };
  if (transport === 'stdio' && !command?.trim()) throw bad('names no command to run (and no URL)');
  return server;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value !== undefined ? { [key]: value } : {}) as { [P in K]?: string };
}

/** The URL field each client documents, and whether it means Streamable HTTP or SSE. */
function httpUrlOf(client: ClientId, e: Obj, field: FieldReader): { url: string; sse: boolean } | undefined {
  if (client === 'gemini-cli') {
    const http = field.string('httpUrl');
    if (http !== undefined) return { url: http, sse: false };
    const sse = field.string('url');
    return sse !== undefined ? { url: sse, sse: true } : undefined;
  }
  const url = field.string('url') ?? (client === 'windsurf' ? field.string('serverUrl') : undefined);
  return url !== undefined ? { url, sse: e.type === 'sse' } : undefined;
}

function transportOf(client: ClientId, e: Obj, field: FieldReader, command: string | undefined, url: string | undefined, bad: (w: string) => InputError): ConfiguredServer['transport'] {
  if (command !== undefined && url !== undefined) throw bad('names both a command and a URL; a client runs one or the other');
  const type = field.string('type');
  if (type !== undefined && !['stdio', 'http', 'sse', 'streamable-http', 'streamableHttp'].includes(type)) throw bad(`has the unknown type "${type}"`);
  if (url === undefined) {
    if (type !== undefined && type !== 'stdio') throw bad(`has type "${type}" but no URL`);
    return 'stdio';
  }
  if (client === 'gemini-cli' && e.httpUrl === undefined) return 'sse';
  return type === 'sse' ? 'sse' : 'http';
}

/** Codex's header-from-environment fields, as header name → `${VAR}` template. */
function codexHeaderEnv(field: FieldReader): Record<string, string> {
  const out = Object.fromEntries(Object.entries(field.map('env_http_headers') ?? {}).map(([header, name]) => [header, `\${${name}}`]));
  const bearer = field.string('bearer_token_env_var');
  if (bearer !== undefined) out.Authorization = `Bearer \${${bearer}}`;
  return out;
}

interface FieldReader {
  string(key: string): string | undefined;
  strings(key: string): string[] | undefined;
  map(key: string): Record<string, string> | undefined;
  bool(key: string): boolean | undefined;
}

function fieldReader(e: Obj, bad: (what: string) => InputError): FieldReader {
  const get = (key: string): unknown => (Object.hasOwn(e, key) ? e[key] : undefined);
  return {
    string: (key) => {
      const v = get(key);
      if (v === undefined) return undefined;
      if (typeof v !== 'string') throw bad(`has "${key}" that is not a string`);
      return v;
    },
    strings: (key) => {
      const v = get(key);
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw bad(`has "${key}" that is not a list of strings`);
      return v as string[];
    },
    map: (key) => {
      const v = get(key);
      if (v === undefined) return undefined;
      // Values are never echoed: they may be secrets.
      if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
        throw bad(`has "${key}" that is not an object of strings`);
      }
      return { ...(v as Record<string, string>) };
    },
    bool: (key) => {
      const v = get(key);
      if (v === undefined) return undefined;
      if (typeof v !== 'boolean') throw bad(`has "${key}" that is not true or false`);
      return v;
    },
  };
}
