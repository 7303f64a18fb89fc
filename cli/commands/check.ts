import type { Command } from 'commander';
import { printJson, setExitCode } from '../output.js';
import { addServerOptions, targetFromFlags, captureFlags, type ServerFlags } from '../server-flags.js';

interface CheckFlags extends ServerFlags {
  manifest: string;
  match?: string;
  json?: boolean;
}

/**
 * `toolseal check --manifest FILE (--stdio -- CMD | --url URL)`: a local pin without any
 * signature. Captures the live server with the manifest's own client profile and exclude
 * paths and compares. Exit 0 same, 1 differs (with the exact paths), 2 could not run.
 */
export function registerCheck(program: Command): void {
  const command = program
    .command('check')
    .description('compare a live server with a manifest file (no signature): catch tool drift')
    .usage('--manifest FILE (--stdio -- CMD [ARGS...] | --url URL) [options]')
    .requiredOption('--manifest <file>', 'the expected manifest (from toolseal capture)');
  addServerOptions(command, true)
    .option('--match <mode>', 'exact (default) or subset: the live server may expose fewer entries, never more or different', 'exact')
    .option('--json', 'print the diff as JSON')
    .action(async (commandLine: string[], flags: CheckFlags, cmd: Command) => {
      const { checkServer, parseMatchMode, readManifestFile, renderDiff } = await import('../../src/internal.js');
      const match = parseMatchMode(flags.match ?? 'exact'); // a bad flag is refused before the server is started
      const expected = await readManifestFile(flags.manifest);
      const diff = await checkServer(expected, targetFromFlags(commandLine, flags), { match, ...captureFlags(flags) });
      if (flags.json) printJson(diff);
      else process.stdout.write(renderDiff(diff));
      setExitCode(cmd, diff.ok ? 0 : 1);
    });
}
