import { Option, type Command } from 'commander';
import type { MatchMode } from '../../src/internal.js';
import { printJson, setExitCode } from '../output.js';

interface DiffFlags {
  match: MatchMode;
  json?: boolean;
}

/**
 * `toolseal diff A B`: compares manifest B (new, e.g. live) against A (reference, e.g. signed).
 * Exit 0 when B is acceptable under the match mode, 1 when it is not (a verdict), 2 when a
 * file is unreadable or not a valid manifest.
 */
export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('compare two manifests: A is the reference (signed), B the new one (live)')
    .argument('<reference>', 'reference manifest file (e.g. the signed one)')
    .argument('<candidate>', 'new manifest file (e.g. a fresh capture)')
    .addOption(new Option('--match <mode>', 'exact: B must equal A; subset: B may omit entries of A, never add or change').choices(['exact', 'subset']).default('exact'))
    .option('--json', 'print the diff as JSON (ManifestDiff)')
    .action(async (reference: string, candidate: string, flags: DiffFlags, command: Command) => {
      const { compareManifests, readManifestFile, renderDiff } = await import('../../src/internal.js');
      const signed = await readManifestFile(reference);
      const live = await readManifestFile(candidate);
      const diff = compareManifests(signed, live, { match: flags.match });
      if (flags.json) printJson(diff);
      else process.stdout.write(renderDiff(diff));
      setExitCode(command, diff.ok ? 0 : 1);
    });
}
