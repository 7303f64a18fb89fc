import { statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { DEFAULT_INHERITED_ENV_VARS } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InputError } from '../errors.js';
import { ENV_NAME, readEnvFile } from './env-file.js';

/** What a front end knows about how to start a stdio server (flags, Action inputs). */
export interface LaunchOptions {
  /** The environment to inherit from. Default: `process.env`. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Variables to set (`--env NAME=value`); they win over env files and the inherited environment. */
  env?: Record<string, string>;
  /** Env files read in order (`--env-file`), later files winning; see `readEnvFile`. */
  envFiles?: string[];
  /** The server's working directory (`--cwd`); relative paths are taken from `process.cwd()`. */
  cwd?: string;
  /** Start from the MCP SDK's minimal environment (HOME, PATH, USER, ...) instead of `baseEnv`. */
  cleanEnv?: boolean;
}

/** The environment and working directory a stdio server is started with. */
export interface Launch {
  /** The complete environment the server gets. */
  env: Record<string, string>;
  /** The absolute working directory, or undefined for the caller's. */
  cwd?: string;
}

/**
 * Names of variables that belong to toolseal or to the CI runner, never to the server:
 * the signing identity token, the key passphrase, the GitHub Actions OIDC and runtime
 * tokens. `INPUT_*` (the Action's inputs, which hold the same) is matched by prefix.
 */
export const LAUNCH_SECRET_NAMES: readonly string[] = Object.freeze([
  'SIGSTORE_ID_TOKEN', 'TOOLSEAL_KEY_PASSPHRASE',
  'ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'ACTIONS_RUNTIME_TOKEN',
]);

/** True for a variable the launch rule never passes on from the inherited environment. */
export function isLaunchSecret(name: string): boolean {
  // Windows treats variable names case-insensitively, POSIX does not.
  const n = process.platform === 'win32' ? name.toUpperCase() : name;
  return n.startsWith('INPUT_') || LAUNCH_SECRET_NAMES.includes(n);
}

/**
 * The one launch rule every face uses (capture, check, verify, sign, the proxy, the
 * Action, `audit --live`): the server inherits the caller's environment minus toolseal's
 * and the runner's secrets ({@link isLaunchSecret}), or with `cleanEnv` only the SDK's
 * minimal environment; then the env files, then `env`, are laid over it; it runs in `cwd`.
 * So what toolseal checks is the server its user runs, with the API keys, CA certificates
 * and proxy settings they run it with. No value is ever put in a message.
 *
 * @throws InputError `ENV_INVALID` (a bad name, a NUL byte), `ENV_FILE_UNREADABLE`,
 *   `ENV_FILE_INVALID`, `CWD_INVALID` (no such folder)
 */
export function resolveLaunch(options: LaunchOptions = {}): Launch {
  const base = options.baseEnv ?? process.env;
  const env = options.cleanEnv ? minimal(base) : inherited(base);
  for (const file of options.envFiles ?? []) Object.assign(env, checked(readEnvFile(file), `the env file ${file}`));
  Object.assign(env, checked(options.env ?? {}, '--env'));
  return { env, ...(options.cwd !== undefined ? { cwd: checkedCwd(options.cwd) } : {}) };
}

/**
 * Parses `--env` values (`NAME=value`, repeatable) into variables. A bad one is named by
 * its position, never quoted: it may be a secret typed without its name.
 *
 * @throws InputError `ENV_INVALID`
 */
export function parseEnvAssignments(assignments: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  assignments.forEach((item, i) => {
    const eq = item.indexOf('=');
    const name = eq > 0 ? item.slice(0, eq) : '';
    if (!ENV_NAME.test(name)) {
      throw new InputError('ENV_INVALID', `--env value #${i + 1} is not NAME=value with a name before the =; the value is not shown.`);
    }
    out[name] = item.slice(eq + 1);
  });
  return out;
}

function inherited(base: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !isLaunchSecret(name)) env[name] = value;
  }
  return env;
}

/** The MCP SDK's minimal environment (`getDefaultEnvironment`), read from `base`. */
function minimal(base: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of DEFAULT_INHERITED_ENV_VARS) {
    const value = base[name];
    // As the SDK does: a value starting with "()" is an exported shell function.
    if (value !== undefined && !value.startsWith('()')) env[name] = value;
  }
  return env;
}

function checked(vars: Record<string, string>, from: string): Record<string, string> {
  for (const [name, value] of Object.entries(vars)) {
    if (!ENV_NAME.test(name)) throw new InputError('ENV_INVALID', `A variable name from ${from} is empty or holds =, NUL or white space.`);
    // Node would refuse the spawn with a message that quotes the value.
    if (typeof value !== 'string' || value.includes('\0')) throw new InputError('ENV_INVALID', `The value of ${name} from ${from} is not a string without NUL bytes.`);
  }
  return vars;
}

function checkedCwd(cwd: string): string {
  const dir = resolvePath(cwd);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isDir) throw new InputError('CWD_INVALID', `The server's working directory ${dir} does not exist or is not a folder; give an existing folder to --cwd.`);
  return dir;
}
