import type { ServerAudit } from './result.js';

/** Something to write progress to (stderr), and whether it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Reports progress while an audit runs. */
export interface ProgressReporter {
  onResult(result: ServerAudit, done: number, total: number): void;
  /** Ends the progress display (clears the bar on a terminal). */
  finish(): void;
}

/**
 * On a terminal: one bar redrawn in place (at most every 100 ms). Otherwise (CI logs,
 * pipes): one plain line per server, so a log shows which server was slow or failed.
 */
export function createProgressReporter(stream: ProgressStream): ProgressReporter {
  if (!stream.isTTY) {
    return {
      onResult: (r, done, total) => { stream.write(`[${done}/${total}] ${r.status} ${r.name}${r.cached ? ' (cached)' : ''}\n`); },
      finish: () => {},
    };
  }
  let failed = 0;
  let last = 0;
  return {
    onResult(r, done, total) {
      if (r.status !== 'verified') failed++;
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 40));
      const filled = Math.round((done / total) * width);
      stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} servers, ${failed} not verified`);
    },
    finish() {
      stream.write('\r\x1b[2K');
    },
  };
}
