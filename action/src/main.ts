import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolsealError } from '../../src/internal.js';
import { check } from './check.js';
import { readInputs, type ActionInputs, type Mode } from './inputs.js';
import { annotate, StepFailure, type FileAnnotations } from './annotations.js';
import { appendSummary, logUntrusted, writeOutputs } from './runner-files.js';
import { sign } from './sign.js';
import { verify } from './verify.js';

/** What one mode produced: step outputs, the job summary, the log text, and whether the step passes. */
export interface ModeResult {
  outputs: Record<string, string>;
  summary: string;
  log: string;
  /** Differences placed in a manifest file, printed as annotations on it. */
  annotations?: FileAnnotations;
  /** When set, the step fails with this (a verdict, or a failed upload) after outputs and summary are written. */
  failure?: ToolsealError;
}

/** The step's environment, where the runner lets it keep files (`$RUNNER_TEMP`), and its log. */
export interface StepContext {
  env: NodeJS.ProcessEnv;
  tempDir: string;
  write: (text: string) => void;
}

const MODES: Record<Mode, (inputs: ActionInputs, context: StepContext) => Promise<ModeResult>> = { sign, verify, check };

/**
 * The Action: reads the inputs, runs the mode through the library, writes outputs, the job
 * summary, the log and annotations. Throws (for `step.ts`'s one `catch`) when the step must
 * fail: a verdict after everything was written, or an error that stopped it from running.
 */
export async function run(env: NodeJS.ProcessEnv, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<void> {
  const inputs = readInputs(env);
  const context: StepContext = { env, tempDir: join(env.RUNNER_TEMP || tmpdir(), 'toolseal'), write };
  const result = await MODES[inputs.mode](inputs, context);
  if (env.GITHUB_OUTPUT) await writeOutputs(env.GITHUB_OUTPUT, result.outputs);
  else logUntrusted(write, `outputs (no GITHUB_OUTPUT file):\n${Object.entries(result.outputs).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
  if (inputs.showSummary) await appendSummary(env.GITHUB_STEP_SUMMARY, result.summary);
  logUntrusted(write, result.log);
  const location = result.annotations ? annotate(write, result.annotations, env, result.failure ? 'error' : 'warning') : undefined;
  if (result.failure) throw new StepFailure(result.failure, location);
}
