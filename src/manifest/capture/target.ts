import { InputError } from '../../errors.js';
import { resolveLaunch, type LaunchOptions } from '../../launch/resolve.js';
import type { ServerTarget } from './options.js';

/** A server as a front end (CLI flags, Action inputs, a config file) names it, before it is checked. */
export interface ServerSpec {
  /** The command and its arguments, already split (no shell is ever involved). */
  command?: string[];
  /** A Streamable HTTP endpoint. */
  url?: string;
  /** HTTP headers for `url`, each `Name: value`. */
  headers?: string[];
  /** How to start `command`: environment and working directory (see `resolveLaunch`). */
  launch?: LaunchOptions;
}

/**
 * Turns a {@link ServerSpec} into a capture target, or `undefined` when it names no server.
 * Ambiguous or incomplete specs are refused rather than guessed: a command *and* a URL,
 * headers for a stdio server (they would be silently dropped), launch settings for a URL,
 * an empty command. A stdio target gets its environment and working directory from the
 * launch rule (`resolveLaunch(spec.launch)`), so every face starts the same server.
 *
 * @throws InputError `SERVER_SPEC_INVALID`; from `resolveLaunch`: `ENV_INVALID`,
 *   `ENV_FILE_UNREADABLE`, `ENV_FILE_INVALID`, `CWD_INVALID`
 */
export function serverTargetFrom(spec: ServerSpec): ServerTarget | undefined {
  const command = spec.command ?? [];
  const headers = spec.headers ?? [];
  if (command.length > 0 && spec.url !== undefined) throw invalid('Name either a server command or a server URL, not both.');
  if (spec.url !== undefined) {
    if (spec.url.trim() === '') throw invalid('The server URL is empty.');
    if (namesLaunch(spec.launch)) throw invalid('An environment, env file or working directory applies to a server command only, and a URL was given.');
    return { kind: 'http', url: spec.url, headers: parseHeaderLines(headers) };
  }
  if (headers.length > 0) throw invalid('HTTP headers apply to a server URL only, and no URL was given.');
  if (command.length === 0) return undefined;
  const [cmd, ...args] = command;
  if (!cmd) throw invalid('The server command is empty; give the program to run first, e.g. npx -y @acme/server.');
  return { kind: 'stdio', command: cmd, args, ...resolveLaunch(spec.launch) };
}

function namesLaunch(launch: LaunchOptions | undefined): boolean {
  if (!launch) return false;
  return Object.keys(launch.env ?? {}).length > 0 || (launch.envFiles?.length ?? 0) > 0 || launch.cwd !== undefined || launch.cleanEnv === true;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * Parses `Name: value` header lines. The value may be a secret (a bearer token), so a
 * message about a bad line names at most the start of the header name, never the value.
 *
 * @throws InputError `SERVER_SPEC_INVALID`
 */
export function parseHeaderLines(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!HEADER_NAME.test(name)) {
      const shown = name || line.slice(0, Math.max(0, Math.min(colon < 0 ? 12 : colon, 12)));
      throw invalid(`The header "${shown}…" is not of the form Name: value.`);
    }
    out[name] = line.slice(colon + 1).trim();
  }
  return out;
}

function invalid(message: string): InputError {
  return new InputError('SERVER_SPEC_INVALID', message);
}
