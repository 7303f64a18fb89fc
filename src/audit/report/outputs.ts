import type { Writable } from 'node:stream';
import { assertWritableDestination } from '../../io/files.js';
import { streamAudit, type AuditOptions } from '../audit.js';
import type { AuditRun } from '../result.js';
import { jsonReportWriter } from './json.js';
import { CODE_SCANNING_RESULT_LIMIT, sarifWriter } from './sarif.js';
import { fileDestination, openSpoolDir, streamDestination } from './spool.js';
import { markdownWriter, tableWriter } from './text.js';
import type { AuditReportWriter } from './writer.js';

/** Where `toolseal audit` writes its reports. */
export interface AuditOutputs {
  /** The main report (the table, or the JSON report with `json`). */
  stdout: Writable;
  json?: boolean;
  /** A SARIF file; `includePass` adds verified servers as `pass` results. */
  sarif?: { path: string; includePass?: boolean };
  /** A Markdown file. */
  markdown?: string;
}

/** A streamed audit's counts, and how many results the SARIF file holds. */
export interface AuditWithReports {
  run: AuditRun;
  sarifResults?: number;
  /** Sentences for stderr, e.g. that code scanning will keep only 5,000 of the SARIF results. */
  warnings: string[];
}

/**
 * Runs {@link streamAudit} and writes every report as it goes: each result is spooled to a
 * temporary folder the moment it is known (memory stays flat), and each report is moved
 * into place, or copied to `stdout`, when the run ends, interrupted runs included (marked
 * incomplete). A run that fails writes no report at all. Output paths are checked first.
 *
 * @throws whatever {@link streamAudit} throws; InputError `FILE_UNWRITABLE`
 */
export async function auditWithReports(options: AuditOptions, outputs: AuditOutputs): Promise<AuditWithReports> {
  for (const path of [outputs.sarif?.path, outputs.markdown]) if (path) await assertWritableDestination(path);
  const spool = await openSpoolDir();
  try {
    const main = outputs.json ? await jsonReportWriter(spool.dir, streamDestination(outputs.stdout)) : await tableWriter(spool.dir, streamDestination(outputs.stdout));
    const sarif = outputs.sarif ? await sarifWriter(spool.dir, fileDestination(outputs.sarif.path), outputs.sarif) : undefined;
    const markdown = outputs.markdown ? await markdownWriter(spool.dir, fileDestination(outputs.markdown)) : undefined;
    const writers: AuditReportWriter[] = [main, ...(sarif ? [sarif] : []), ...(markdown ? [markdown] : [])];
    const run = await streamAudit({
      ...options,
      onResult: async (result, progress) => {
        for (const w of writers) await w.add(result);
        await options.onResult?.(result, progress);
      },
    });
    // Files first: stdout last, so its end means every report is in place.
    for (const w of [...writers.slice(1), main]) await w.finish(run);
    return { run, ...(sarif ? { sarifResults: sarif.results } : {}), warnings: sarif ? sarifWarnings(sarif.results, outputs.sarif!.path) : [] };
  } finally {
    await spool.remove();
  }
}

function sarifWarnings(results: number, path: string): string[] {
  if (results > 25_000) return [`${path} holds ${results} results; GitHub code scanning refuses a run of more than 25,000. Split the audit (for example by namespace, with --server-json) before uploading.`];
  if (results > CODE_SCANNING_RESULT_LIMIT) return [`${path} holds ${results} results; GitHub code scanning keeps only ${CODE_SCANNING_RESULT_LIMIT} of a run. Errors come first in the file, so those kept are the most severe; the JSON report has every server.`];
  return [];
}
