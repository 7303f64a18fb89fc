import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { readTextFile } from '../io/files.js';
import type { ServerTarget } from '../manifest/capture/options.js';
import { expandEnvTemplate, expandVariables, type ExpandContext } from './expand.js';
import type { ConfiguredServer } from './model.js';

/** How a server is launched, as recorded in the lock: what the configuration says, with variable names only. */
export const LaunchRecordSchema = z.discriminatedUnion('transport', [
  z.strictObject({
    transport: z.literal('stdio'),
    command: z.string().min(1).describe('The command as written in the configuration (variables unexpanded).'),
    args: z.array(z.string()).describe('Its arguments as written.'),
    cwd: z.string().optional().describe('Working directory as written.'),
    envFile: z.string().optional().describe('The dotenv file the client reads (VS Code, Cursor), as written.'),
    envNames: z.array(z.string()).describe('Names of the environment variables the configuration sets or passes through; never their values.'),
  }),
  z.strictObject({
    transport: z.enum(['http', 'sse']),
    url: z.string().describe('The endpoint without credentials, query or fragment.'),
    headerNames: z.array(z.string()).describe('Names of the HTTP headers the configuration sends; never their values.'),
  }),
]).describe('How the client launches the server.');

/** How a server is launched, as recorded in the lock. */
export type LaunchRecord = z.infer<typeof LaunchRecordSchema>;

/** The lock's record of how a configured server is launched: names only, never values. */
export function launchRecord(server: ConfiguredServer): LaunchRecord {
  if (server.transport === 'stdio') {
    return {
      transport: 'stdio', command: server.command!, args: [...server.args],
      ...(server.cwd !== undefined ? { cwd: server.cwd } : {}),
      ...(server.envFile !== undefined ? { envFile: server.envFile } : {}),
      envNames: [...new Set([...Object.keys(server.env), ...server.envPassthrough])].sort(),
    };
  }
  return { transport: server.transport, url: safeUrl(server.url!), headerNames: [...new Set([...Object.keys(server.headers), ...Object.keys(server.headerEnv)])].sort() };
}

/** Options of {@link launchTarget}. */
export interface LaunchOptions {
  /** The environment the client itself runs in (its variables and pass-through). Default: this process's. */
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/**
 * The capture target that starts the server exactly as its client would: variables expanded
 * in the client's syntax, `envFile` read (the entry's own `env` wins over it), Codex's
 * `env_vars` passed through, `cwd` resolved against the project folder, headers built.
 *
 * @throws InputError `LAUNCH_UNRESOLVED`, `LAUNCH_UNSUPPORTED`, `ENV_FILE_INVALID`, `FILE_UNREADABLE`
 */
export async function launchTarget(server: ConfiguredServer, options: LaunchOptions = {}): Promise<ServerTarget> {
  const ctx: ExpandContext = {
    env: options.env ?? process.env, home: options.home ?? process.env.HOME ?? '',
    ...(server.workspace ? { workspace: server.workspace } : {}), server: `"${server.name}" in ${server.file}`,
  };
  const x = (text: string): string => expandVariables(server.client, text, ctx);
  const base = server.workspace ?? dirname(server.file);
  if (server.transport === 'sse') {
    throw new InputError('LAUNCH_UNSUPPORTED', `The MCP server ${ctx.server} uses the deprecated SSE transport, which toolseal does not speak; move it to Streamable HTTP.`);
  }
  if (server.transport === 'http') {
    const headers = Object.fromEntries(Object.entries(server.headers).map(([k, v]) => [k, x(v)]));
    for (const [k, v] of Object.entries(server.headerEnv)) headers[k] = expandEnvTemplate(v, ctx);
    return { kind: 'http', url: x(server.url!), headers };
  }
  const fileEnv = server.envFile !== undefined ? await readEnvFile(absolute(x(server.envFile), base), ctx.server) : {};
  const passed = Object.fromEntries(server.envPassthrough.flatMap((name) => (ctx.env[name] !== undefined ? [[name, ctx.env[name]!]] : [])));
  const env = { ...fileEnv, ...passed, ...Object.fromEntries(Object.entries(server.env).map(([k, v]) => [k, x(v)])) };
  const cwd = server.cwd !== undefined ? absolute(x(server.cwd), base) : server.workspace;
  return { kind: 'stdio', command: x(server.command!), args: server.args.map(x), env, ...(cwd ? { cwd } : {}) };
}

function absolute(path: string, base: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

/**
 * Reads a dotenv file as VS Code does: `NAME=value` lines, `#` comments, optional `export `,
 * single or double quotes around the value. A line that is none of these is refused by number.
 *
 * @throws InputError `ENV_FILE_INVALID`, `FILE_UNREADABLE`
 */
export async function readEnvFile(path: string, server: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const lines = (await readTextFile(path)).split(/\r?\n/);
  lines.forEach((line, i) => {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(text);
    if (!m) throw new InputError('ENV_FILE_INVALID', `${path} line ${i + 1} (the envFile of ${server}) is not NAME=value.`);
    const raw = m[2]!;
    const quoted = /^(['"])(.*)\1$/.exec(raw);
    out[m[1]!] = quoted ? (quoted[1] === '"' ? quoted[2]!.replace(/\\n/g, '\n') : quoted[2]!) : raw.replace(/\s+#.*$/, '');
  });
  return out;
}

/** The URL without userinfo, query or fragment (they may carry credentials). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return url.replace(/[?#].*$/, '');
  }
}
