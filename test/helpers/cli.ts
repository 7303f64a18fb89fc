import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI (`npm test` builds first; run `npm run build` before running one file alone). */
export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

/** One run of the CLI: exit code and both streams. */
export interface CliRun { code: number; stdout: string; stderr: string }

/** Options of {@link runCli}. */
export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with all of stderr so far on every chunk; `kill` signals the CLI (e.g. SIGINT mid-run). */
  onStderr?: (stderr: string, kill: (signal: NodeJS.Signals) => void) => void;
}

/** Runs the built CLI with the current node, never throwing on a non-zero exit. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env: options.env ?? process.env, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    const { onStderr } = options;
    if (onStderr) {
      let text = '';
      child.stderr?.on('data', (chunk: Buffer | string) => {
        text += chunk.toString();
        onStderr(text, (signal) => child.kill(signal));
      });
    }
  });
}
