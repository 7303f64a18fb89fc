import type { ConfiguredServer } from './model.js';

/** The proxy arguments that mark an entry as wrapped for `name`: `proxy --lock LOCK --server NAME`. */
export function proxyArgs(lockPath: string, name: string): string[] {
  return ['proxy', '--lock', lockPath, '--server', name];
}

/** Where the wrap marker starts in `args`, or -1 when the entry is not wrapped for `name`. */
export function wrapMarkerIndex(args: readonly unknown[], name: string): number {
  for (let i = args.indexOf('proxy'); i >= 0; i = args.indexOf('proxy', i + 1)) {
    if (args[i + 1] === '--lock' && args[i + 3] === '--server' && args[i + 4] === name) return i;
  }
  return -1;
}

/** Environment variables `wrap` adds to carry header values (never on a command line). */
export const HEADER_VARIABLE_PREFIX = 'TOOLSEAL_HEADER_';

/**
 * The server a wrapped entry runs behind `toolseal proxy --lock`, as the proxy launches it: the
 * command after `--`, or the `--upstream` URL with its headers (`--header-env` values from the
 * entry's env, `--bearer-token-env`). Scan and approve look through the wrapper this way, so a
 * wrapped configuration is checked against the same lock entry as the original. Returns the
 * server unchanged when it is not wrapped.
 */
export function innerServer(server: ConfiguredServer): ConfiguredServer {
  if (server.transport !== 'stdio') return server;
  const i = wrapMarkerIndex(server.args, server.name);
  if (i < 0) return server;
  const lockPath = server.args[i + 2]!;
  const rest = server.args.slice(i + 5);
  const dash = rest.indexOf('--');
  if (dash >= 0 && rest.length > dash + 1) {
    return { ...server, command: rest[dash + 1]!, args: rest.slice(dash + 2), wrapped: { lockPath } };
  }
  return { ...httpFromFlags(server, rest), wrapped: { lockPath } };
}

function httpFromFlags(server: ConfiguredServer, flags: string[]): ConfiguredServer {
  const env = { ...server.env };
  const headers: Record<string, string> = {};
  const headerEnv: Record<string, string> = {};
  let url: string | undefined;
  for (let i = 0; i < flags.length; i += 2) {
    const [flag, value] = [flags[i], flags[i + 1] ?? ''];
    if (flag === '--upstream') url = value;
    else if (flag === '--bearer-token-env') headerEnv.Authorization = `Bearer \${${value}}`;
    else if (flag === '--header-env') {
      const eq = value.indexOf('=');
      const [name, variable] = [value.slice(0, eq), value.slice(eq + 1)];
      if (variable.startsWith(HEADER_VARIABLE_PREFIX) && Object.hasOwn(env, variable)) {
        headers[name] = env[variable]!;
        delete env[variable];
      } else headerEnv[name] = `\${${variable}}`;
    }
  }
  const { command: _c, ...rest } = server;
  const envPassthrough = server.envPassthrough.filter((n) => !Object.values(headerEnv).some((t) => t.includes(`\${${n}}`)));
  return { ...rest, transport: 'http', args: [], env, url: url ?? '', headers, headerEnv, envPassthrough };
}
