import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { resolveLaunch } from '../launch/resolve.js';
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
export interface ClientLaunchOptions {
  /** The environment the client itself runs in (its variables and pass-through). Default: this process's. */
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/**
 * The capture target that starts the server exactly as its client would, through the one launch
 * rule (`resolveLaunch`): variables expanded in the client's syntax, the client's environment
 * (or the minimal one, see {@link CLEAN_ENV_CLIENTS}) with `envFile` over it and the entry's
 * `env` over that, Codex's `env_vars` passed through, `cwd` resolved against the project folder
 * (a project file's servers run there by default), headers built.
 *
 * @throws InputError `LAUNCH_UNRESOLVED`, `LAUNCH_UNSUPPORTED`, `ENV_FILE_INVALID`, `ENV_FILE_UNREADABLE`, `CWD_INVALID`
 */
export async function launchTarget(server: ConfiguredServer, options: ClientLaunchOptions = {}): Promise<ServerTarget> {
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
  const passed = Object.fromEntries(server.envPassthrough.flatMap((name) => (ctx.env[name] !== undefined ? [[name, ctx.env[name]!]] : [])));
  const launch = resolveLaunch({
    baseEnv: ctx.env,
    cleanEnv: CLEAN_ENV_CLIENTS.has(server.client),
    envFiles: server.envFile !== undefined ? [absolute(x(server.envFile), base)] : [],
    env: { ...passed, ...Object.fromEntries(Object.entries(server.env).map(([k, v]) => [k, x(v)])) },
    ...(server.cwd !== undefined ? { cwd: absolute(x(server.cwd), base) } : server.workspace ? { cwd: server.workspace } : {}),
  });
  return { kind: 'stdio', command: x(server.command!), args: server.args.map(x), env: launch.env, ...(launch.cwd ? { cwd: launch.cwd } : {}) };
}

/**
 * Clients that start servers with the MCP SDK's minimal environment (HOME, PATH, USER, ...) plus the
 * entry's `env`, not their own whole environment: Claude Desktop (an app, not a shell) and Codex
 * (which passes other variables only when `env_vars` names them). The others inherit theirs.
 */
const CLEAN_ENV_CLIENTS: ReadonlySet<ConfiguredServer['client']> = new Set(['claude-desktop', 'codex']);

function absolute(path: string, base: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
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
