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
    .exitOverride();
  registerCommands(program);
  for (const command of [program, ...program.commands]) command.configureOutput({ outputError: usageError(command) });
  return program;
}

/**
 * commander's own usage errors (unknown option, missing argument, bad choice) in toolseal's
 * shape: one line, the USAGE code, and where to look, e.g.
 * `toolseal: error [USAGE]: unknown option '--bogus'. Run "toolseal diff --help" for the usage.`
 */
function usageError(command: Command): (text: string, write: (text: string) => void) => void {
  const name = command.parent ? `toolseal ${command.name()}` : 'toolseal';
  return (text, write) => {
    // One line: commander puts its "(Did you mean ...?)" on a line of its own.
    const message = text.trim().replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').replace(/([^.])$/, '$1.');
    write(`toolseal: error [USAGE]: ${message} Run "${name} --help" for the usage.\n`);
  };
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
