import type { Command } from 'commander';
// Small modules directly, not src/index.js: commands load the library only when they run.
import type { LaunchOptions, ServerTarget } from '../src/internal.js';
import { InputError } from '../src/errors.js';
import { parseEnvAssignments } from '../src/launch/resolve.js';
import { parseDynamicLists } from '../src/manifest/dynamic-lists.js';
import type { DynamicList } from '../src/manifest/schema.js';
import { serverTargetFrom } from '../src/manifest/capture/target.js';
import { parseProtocolEra, type ProtocolEraChoice } from '../src/protocol/era.js';

/** The flags that say how a stdio server is started (the launch rule). */
export interface LaunchFlags {
  env: string[];
  envFile: string[];
  cwd?: string;
  cleanEnv?: boolean;
}

/** The flags every command that talks to a live server shares. */
export interface ServerFlags extends LaunchFlags {
  stdio?: boolean;
  url?: string;
  header: string[];
  timeout?: string;
  protocolEra?: string;
}

/** Collects a repeatable option into an array. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Adds `--stdio` (the server command follows `--`), `--url`, `--header`, `--timeout`,
 * `--protocol-era` and the launch flags, plus the variadic `[command...]` argument the stdio command lands in.
 */
export function addServerOptions(command: Command, required: boolean): Command {
  command
    .argument('[command...]', 'with --stdio: the server command and its arguments, after --')
    .option('--stdio', `${required ? '' : 'compare with a live server: '}spawn the command given after -- and talk to it over stdio`)
    .option('--url <url>', `${required ? '' : 'compare with a live server: '}a Streamable HTTP MCP server at this URL`)
    .option('--header <K:V>', 'HTTP header for --url (repeatable), e.g. "Authorization: Bearer $TOKEN"', collect, [])
    .option('--timeout <ms>', 'timeout of every request to the server, in milliseconds (default 30000)')
    .option('--protocol-era <era>', 'MCP era to talk to the server in: auto (probe with server/discover, fall back to initialize), modern (2026-07-28 only) or legacy (initialize only)', 'auto');
  return addLaunchOptions(command);
}

/**
 * Adds `--env NAME=value` and `--env-file FILE` (both repeatable), `--cwd DIR` and
 * `--clean-env`: how a stdio server is started (see `resolveLaunch`).
 */
export function addLaunchOptions(command: Command): Command {
  return command
    .option('--env <NAME=value>', 'stdio server: set this variable (repeatable; wins over --env-file and the inherited environment)', collect, [])
    .option('--env-file <file>', 'stdio server: read variables from this NAME=value file (repeatable)', collect, [])
    .option('--cwd <dir>', 'stdio server: run it in this folder (default: the current one)')
    .option('--clean-env', 'stdio server: start from the MCP SDK\'s minimal environment (HOME, PATH, ...) instead of inheriting this one');
}

/** The launch flags as `resolveLaunch` options (`--env` values parsed here, never echoed). */
export function launchFromFlags(flags: LaunchFlags): LaunchOptions {
  return {
    env: parseEnvAssignments(flags.env ?? []),
    envFiles: flags.envFile ?? [],
    ...(flags.cwd !== undefined ? { cwd: flags.cwd } : {}),
    ...(flags.cleanEnv ? { cleanEnv: true } : {}),
  };
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
  const target = serverTargetFrom({
    ...(flags.stdio ? { command: commandLine } : {}), ...(flags.url !== undefined ? { url: flags.url } : {}), headers: flags.header,
    launch: launchFromFlags(flags),
  });
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

/** `--timeout` and `--protocol-era` as capture options (the library reads the era). */
export function captureFlags(flags: ServerFlags): { requestTimeoutMs?: number; protocolEra: ProtocolEraChoice } {
  return { ...timeoutOption(flags), protocolEra: parseProtocolEra(flags.protocolEra) };
}

/** `--dynamic` values as capture options; anything but the two dynamic lists is refused. */
export function dynamicOption(lists: string[] | undefined): { dynamic?: DynamicList[] } {
  return lists?.length ? { dynamic: parseDynamicLists(lists, '--dynamic') } : {};
}

/** A usage error: exit 2, with the sentence as the message. */
export function usage(message: string): InputError {
  return new InputError('USAGE', message);
}
