import type { Command } from 'commander';
import type { FoundServers } from '../src/admission/index.js';
import { collect, usage } from './server-flags.js';

/** Flags every admission command that reads client configurations shares. */
export interface ConfigFlags {
  config: string[];
  wellKnown?: boolean;
  lock: string;
  concurrency?: string;
  timeout?: string;
}

/** Adds `--config` (repeatable), `--well-known`, `--lock`, `--concurrency` and `--timeout`. */
export function addConfigOptions(command: Command): Command {
  return command
    .option('--config <[client=]file>', 'a client configuration file to read instead of the well-known ones (repeatable); client is one of claude-desktop, claude-code, cursor, vscode, windsurf, gemini-cli, codex when the file name does not tell', collect, [])
    .option('--well-known', 'with --config: also read every client\'s well-known configuration files')
    .option('--lock <file>', 'the lock file', 'toolseal.lock.json')
    .option('--concurrency <n>', 'how many servers are launched at once (default 4)')
    .option('--timeout <ms>', 'timeout of every request to a server, in milliseconds (default 30000)');
}

/** Reads the configurations the flags name (the library decides which files and what they mean). */
export async function serversFromFlags(flags: ConfigFlags): Promise<FoundServers> {
  const { configFileFrom, findConfiguredServers } = await import('../src/admission/index.js');
  return findConfiguredServers({ configs: flags.config.map((c) => configFileFrom(c)), ...(flags.wellKnown ? { wellKnown: true } : {}) });
}

/** `--concurrency` as a number from 1 to 64. */
export function concurrencyOf(flags: ConfigFlags): number | undefined {
  if (flags.concurrency === undefined) return undefined;
  const n = Number(flags.concurrency);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw usage(`--concurrency takes a whole number from 1 to 64, not "${flags.concurrency}".`);
  return n;
}
