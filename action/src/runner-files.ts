import { randomUUID } from 'node:crypto';
import { appendFile, stat } from 'node:fs/promises';
import { InputError } from '../../src/internal.js';
import { fitSummary, STEP_SUMMARY_LIMIT_BYTES } from './summary-limit.js';
import { escapeTerminal } from '../../src/io/terminal.js';

/**
 * Appends step outputs to `$GITHUB_OUTPUT` in the runner's multiline form
 * `name<<DELIMITER\nvalue\nDELIMITER`, with a random delimiter so that no value (a diff
 * holding server text) can end its own block and forge another output.
 */
export async function writeOutputs(file: string | undefined, outputs: Record<string, string>): Promise<void> {
  if (!file) return;
  let text = '';
  for (const [name, value] of Object.entries(outputs)) {
    const delimiter = `ghadelimiter_${randomUUID()}`;
    if (value.includes(delimiter)) throw new InputError('OUTPUT_INVALID', `The value of output ${name} contains its delimiter.`);
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  await appendFile(file, text, 'utf8');
}

/**
 * Appends Markdown to the job summary (`$GITHUB_STEP_SUMMARY`), when the runner gives one,
 * cut to what is left of the step's 1 MiB (see {@link fitSummary}).
 */
export async function appendSummary(file: string | undefined, markdown: string): Promise<void> {
  if (!file) return;
  const used = await stat(file).then((s) => s.size, () => 0);
  const text = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
  await appendFile(file, fitSummary(text, Math.max(0, STEP_SUMMARY_LIMIT_BYTES - used)), 'utf8');
}

/** Escapes the data of a workflow command (`::error::data`): `%`, CR and LF, so a message stays one command. */
export function commandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * Writes text that may hold server-controlled strings to the log with workflow commands
 * switched off (`::stop-commands::TOKEN` … `::TOKEN::`), so a line such as `::add-mask::`
 * or `::set-env` inside a description is printed, never executed.
 */
export function logUntrusted(write: (text: string) => void, text: string): void {
  const token = `toolseal-${randomUUID()}`;
  // Terminal escapes too: the log viewer renders ANSI sequences, so a server's text could fake a line.
  const safe = escapeTerminal(text, { keepLines: true });
  write(`::stop-commands::${token}\n${safe.endsWith('\n') ? safe : `${safe}\n`}::${token}::\n`);
}
