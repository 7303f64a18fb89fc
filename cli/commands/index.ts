import type { Command } from 'commander';

/** Registers every subcommand on the program. One file per command in this folder. */
export function registerCommands(program: Command): void {
  void program;
}
