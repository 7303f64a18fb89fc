import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI (`npm test` builds first; run `npm run build` before running one file alone). */
export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

/** One run of the CLI: exit code and both streams. */
export interface CliRun { code: number; stdout: string; stderr: string }

/** Runs the built CLI with the current node, never throwing on a non-zero exit. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: options.env ?? process.env, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
