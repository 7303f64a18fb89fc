import type { Command } from 'commander';
// The errors module directly: loading the whole library here would slow every command's start.
import { isVerdictError, ToolsealError } from '../src/errors.js';
import { escapeTerminal } from '../src/io/terminal.js';

/** Sets the exit code a command's action produced (read by the program's postAction hook). */
export function setExitCode(command: Command, code: number): void {
  (command as Command & { exitCodeResult?: number }).exitCodeResult = code;
}

/**
 * Prints an error for people and returns its exit code: 1 for a verdict, 2 for anything
 * that stopped toolseal from running. Stack traces only with --debug.
 */
export function reportError(err: unknown, debug: boolean): number {
  const verdict = isVerdictError(err);
  if (err instanceof ToolsealError) {
    process.stderr.write(`toolseal: ${verdict ? 'verification failed' : 'error'} [${err.code}]: ${escapeTerminal(err.message)}\n`);
  } else {
    process.stderr.write(`toolseal: unexpected error: ${escapeTerminal(String((err as Error)?.message ?? err))}\nThis is a bug in toolseal; please report it with the command you ran (add --debug for details).\n`);
  }
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return verdict ? 1 : 2;
}

/** Writes a JSON document to stdout, two-space indented, with a final newline. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
