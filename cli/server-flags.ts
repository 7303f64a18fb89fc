import type { Command } from 'commander';
// Small modules directly, not src/index.js: commands load the library only when they run.
import type { ServerTarget } from '../src/index.js';
import { InputError } from '../src/errors.js';
import { serverTargetFrom } from '../src/manifest/capture/target.js';

/** The flags every command that talks to a live server shares. */
export interface ServerFlags {
  stdio?: boolean;
  url?: string;
  header: string[];
  timeout?: string;
}

/** Collects a repeatable option into an array. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Adds `--stdio` (the server command follows `--`), `--url`, `--header` and `--timeout`,
 * plus the variadic `[command...]` argument the stdio command lands in.
 */
export function addServerOptions(command: Command, required: boolean): Command {
  return command
    .argument('[command...]', 'with --stdio: the server command and its arguments, after --')
    .option('--stdio', `${required ? '' : 'compare with a live server: '}spawn the command given after -- and talk to it over stdio`)
    .option('--url <url>', `${required ? '' : 'compare with a live server: '}a Streamable HTTP MCP server at this URL`)
    .option('--header <K:V>', 'HTTP header for --url (repeatable), e.g. "Authorization: Bearer $TOKEN"', collect, [])
    .option('--timeout <ms>', 'timeout of every request to the server, in milliseconds (default 30000)');
}

/** True when the flags name a live server at all. */
export function hasServer(commandLine: string[], flags: ServerFlags): boolean {
  return Boolean(flags.stdio || flags.url !== undefined || commandLine.length > 0);
}

/**
 * Builds the server target from the flags. The library decides what a valid server spec
 * is (`serverTargetFrom`); this only maps the CLI's shape onto it: with `--stdio` the
 * command is whatever follows `--`.
 */
export function targetFromFlags(commandLine: string[], flags: ServerFlags): ServerTarget {
  if (flags.stdio && flags.url !== undefined) throw usage('Give either --stdio -- CMD ... or --url URL, not both.');
  if (!flags.stdio && flags.url === undefined) throw usage('Say which server: --stdio -- CMD [ARGS...] or --url URL.');
  if (flags.url !== undefined && commandLine.length > 0) {
    throw usage(`Unexpected arguments after --url: ${commandLine.join(' ')}. A server command needs --stdio.`);
  }
  const target = serverTargetFrom({ ...(flags.stdio ? { command: commandLine } : {}), ...(flags.url !== undefined ? { url: flags.url } : {}), headers: flags.header });
  if (!target) throw usage('--stdio needs the server command after --, e.g. --stdio -- npx -y @acme/server.');
  return target;
}

/** `--timeout` as capture options. */
export function timeoutOption(flags: ServerFlags): { requestTimeoutMs?: number } {
  if (flags.timeout === undefined) return {};
  const ms = Number(flags.timeout);
  if (!Number.isInteger(ms) || ms <= 0) throw usage(`--timeout takes a positive number of milliseconds, not "${flags.timeout}".`);
  return { requestTimeoutMs: ms };
}

/** A usage error: exit 2, with the sentence as the message. */
export function usage(message: string): InputError {
  return new InputError('USAGE', message);
}
