import { Command, CommanderError } from 'commander';
import { reportError } from './output.js';
import { registerCommands } from './commands/index.js';
import { TOOLSEAL_VERSION } from '../src/version.js';

/**
 * Builds the commander program. Commands only parse flags, call the library and print;
 * each action returns the exit code (DESIGN §4: 0 ok, 1 verdict failed, 2 could not run).
 */
export function createProgram(): Command {
  const program = new Command('toolseal')
    .description('Tamper-evident MCP tool manifests: capture, sign with Sigstore, verify at connect time.')
    .version(TOOLSEAL_VERSION)
    .option('--debug', 'print stack traces for errors')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
  registerCommands(program);
  return program;
}

/** Runs the CLI on argv and resolves to the process exit code; never throws. */
export async function runCli(argv: string[]): Promise<number> {
  const program = createProgram();
  let exitCode = 0;
  program.hook('postAction', (_this, action) => {
    exitCode = (action as Command & { exitCodeResult?: number }).exitCodeResult ?? 0;
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage errors are "could not run".
      return err.exitCode === 0 ? 0 : 2;
    }
    return reportError(err, argv.includes('--debug'));
  }
}
