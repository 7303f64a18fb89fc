import { serverTargetFrom, type ServerTarget } from '../../src/internal.js';
import type { ActionInputs } from './inputs.js';

/**
 * The server the inputs name, started by the one launch rule (`resolveLaunch`): the step's
 * environment (its `env:`, the job's and the workflow's) minus the runner's own secrets and
 * the Action's inputs, the `env` input on top, in `working-directory`.
 */
export function launchTarget(inputs: ActionInputs, stepEnv: NodeJS.ProcessEnv): ServerTarget | undefined {
  return serverTargetFrom({
    ...inputs.server,
    launch: { baseEnv: stepEnv, env: inputs.serverEnv, ...(inputs.workingDirectory !== undefined ? { cwd: inputs.workingDirectory } : {}) },
  });
}
