import { isVerdictError, ToolsealError } from '../../src/index.js';
import { run } from './main.js';
import { commandData } from './runner-files.js';

/**
 * The Action's entry (bundled to `action/dist/index.js`). One `catch`: any failure, a
 * verdict or an error that stopped the step, becomes an `::error::` annotation with the
 * message and exit code 1. No stack trace: the messages say what to do.
 */
try {
  await run(process.env);
} catch (err) {
  const message = err instanceof ToolsealError
    ? `toolseal ${isVerdictError(err) ? 'verification failed' : 'error'} [${err.code}]: ${err.message}`
    : `toolseal: unexpected error: ${(err as Error)?.message ?? String(err)}. This is a bug in toolseal; please report it.`;
  process.stdout.write(`::error title=toolseal::${commandData(message)}\n`);
  process.exitCode = 1;
}
