import { isVerdictError, ToolsealError } from '../../src/internal.js';
import { errorCommand, StepFailure } from './annotations.js';
import { run } from './main.js';

/**
 * One step of the Action, as both entries run it. One `catch`: any failure, a verdict or an
 * error that stopped the step, becomes an `::error::` annotation with the message (pointing
 * at the manifest file when the verdict is about one) and exit code 1. No stack trace: the
 * messages say what to do.
 */
export async function runStep(env: NodeJS.ProcessEnv = process.env, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<void> {
  try {
    await run(env, write);
  } catch (caught) {
    const err = caught instanceof StepFailure ? caught.verdict : caught;
    const message = err instanceof ToolsealError
      ? `toolseal ${isVerdictError(err) ? 'verification failed' : 'error'} [${err.code}]: ${err.message}`
      : `toolseal: unexpected error: ${(err as Error)?.message ?? String(err)}. This is a bug in toolseal; please report it.`;
    write(errorCommand(message, caught instanceof StepFailure ? caught.location : undefined));
    process.exitCode = 1;
  }
}
