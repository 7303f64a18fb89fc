import type { Command } from 'commander';
import { registerCapture } from './capture.js';
import { registerDiff } from './diff.js';
import { registerVerifyBundle } from './verify-bundle.js';

/** Registers every subcommand on the program. One file per command in this folder. */
export function registerCommands(program: Command): void {
  registerCapture(program);
  registerDiff(program);
  registerVerifyBundle(program);
}
