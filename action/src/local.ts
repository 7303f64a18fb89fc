import { runStep } from './step.js';

/**
 * The entry for `@github/local-action` (bundled to `action/dist/local.js`), which imports an
 * entry and calls its exported `run()`. The same step as `index.ts`, which the runner starts;
 * importing this file runs nothing.
 */
export async function run(): Promise<void> {
  await runStep(process.env);
}
