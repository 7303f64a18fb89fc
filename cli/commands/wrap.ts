import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { printJson, setExitCode } from '../output.js';
import { usage } from '../server-flags.js';

interface WrapFlags {
  config?: string;
  lock: string;
  allowUnapproved?: boolean;
  proxyCommand?: string;
  json?: boolean;
}

/**
 * `toolseal wrap`: rewrites one client configuration so every server runs behind
 * `toolseal proxy --lock`; `toolseal unwrap` puts the original bytes back.
 */
export function registerWrap(program: Command): void {
  program
    .command('wrap')
    .description('rewrite a client configuration so each server runs behind toolseal proxy, pinned to its approval (others quarantined)')
    .requiredOption('--config <[client=]file>', 'the client configuration file to rewrite (a backup of the original is kept)')
    .option('--lock <file>', 'the lock the proxy reads', 'toolseal.lock.json')
    .option('--allow-unapproved', 'leave servers the lock does not approve as they are instead of quarantining them')
    .option('--proxy-command <cmd>', 'how the client starts toolseal, words split on spaces (default: this node and this toolseal, by absolute path)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: WrapFlags, cmd: Command) => {
      const { configFileFrom, readLockFile, wrapConfig } = await import('../../src/admission/index.js');
      const lockPath = resolve(flags.lock);
      const lock = await readLockFile(lockPath, { optional: true });
      const proxyCommand = flags.proxyCommand !== undefined ? flags.proxyCommand.trim().split(/\s+/).filter(Boolean) : [process.execPath, realpathSync(process.argv[1]!)];
      if (proxyCommand.length === 0) throw usage('--proxy-command names no program.');
      const result = await wrapConfig(configFileFrom(flags.config!), { lockPath, ...(lock ? { lock } : {}), proxyCommand, ...(flags.allowUnapproved ? { allowUnapproved: true } : {}) });
      if (flags.json) printJson(result);
      else {
        const line = (label: string, names: string[]): void => { if (names.length > 0) process.stdout.write(`${label}: ${names.join(', ')}\n`); };
        line('guarded (approved in the lock)', result.guarded);
        line('quarantined until approved (toolseal approve NAME)', result.quarantined);
        line('left as they were (--allow-unapproved)', result.untouched);
        line('already wrapped', result.alreadyWrapped);
        process.stdout.write(result.changed ? `Wrote ${flags.config}; the original is kept in ${result.backup} (toolseal unwrap restores it).\n` : `${flags.config} is wrapped already; nothing changed.\n`);
        if (!lock) process.stdout.write(`Note: ${lockPath} does not exist yet, so every server is quarantined until you approve it.\n`);
      }
      setExitCode(cmd, 0);
    });
  program
    .command('unwrap')
    .description('restore a client configuration that toolseal wrap rewrote, byte for byte')
    .requiredOption('--config <[client=]file>', 'the client configuration file')
    .action(async (flags: { config: string }, cmd: Command) => {
      const { configFileFrom, unwrapConfig } = await import('../../src/admission/index.js');
      await unwrapConfig(configFileFrom(flags.config).path);
      process.stdout.write(`Restored ${flags.config} from its backup.\n`);
      setExitCode(cmd, 0);
    });
}
