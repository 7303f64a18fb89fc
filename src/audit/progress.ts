import type { RegistryEvent } from './registry-client.js';
import { oneLine } from './report/one-line.js';
import type { ServerAudit } from './result.js';
import type { AuditProgress } from './run.js';

/** Something to write progress to (stderr), and whether it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Reports progress while an audit runs. */
export interface ProgressReporter {
  onResult(result: ServerAudit, progress: AuditProgress): void;
  /** Pages read, waits for a slow page, retries, API fallbacks. */
  onRegistryEvent(event: RegistryEvent): void;
  /** Ends the progress display (clears the bar on a terminal). */
  finish(): void;
}

/** `3/8+` while more of the list is still to come, `3/10` once it is all listed. */
function count(p: AuditProgress): string {
  return `${p.done}/${p.seen}${p.listed ? '' : '+'}`;
}

/** One sentence per registry event; registry-controlled text is not included raw. */
export function describeRegistryEvent(e: RegistryEvent): string {
  return oneLine(eventText(e));
}

function eventText(e: RegistryEvent): string {
  switch (e.kind) {
    case 'page': return `page ${e.page} read from ${e.url.split('?')[0]}: ${e.servers} server(s) to audit, ${e.total} so far`;
    case 'waiting': return `still waiting for page ${e.page} from ${e.url.split('?')[0]} (${Math.round(e.waitedMs / 100) / 10} s; each attempt gives up after ${e.timeoutMs / 1000} s)`;
    case 'retry': return `page ${e.page}: ${e.reason}; retrying in ${(e.delayMs / 1000).toFixed(1)} s (attempt ${e.attempt + 1} of ${e.attempts})`;
    case 'fallback': return `${e.from}: ${e.reason}; trying ${e.to}`;
  }
}

/**
 * On a terminal: one bar redrawn in place (at most every 100 ms), registry events printed
 * above it. Otherwise (CI logs, pipes): one plain line per server and per event, so a log
 * shows which page or server was slow or failed.
 */
export function createProgressReporter(stream: ProgressStream): ProgressReporter {
  if (!stream.isTTY) {
    return {
      onResult: (r, p) => { stream.write(`[${count(p)}] ${r.status} ${oneLine(r.name)}${r.cached ? ' (cached)' : ''}\n`); },
      onRegistryEvent: (e) => { stream.write(`toolseal: ${describeRegistryEvent(e)}\n`); },
      finish: () => {},
    };
  }
  let failed = 0;
  let last = 0;
  let bar = '';
  const draw = (): void => { stream.write(`\r\x1b[2K${bar}`); };
  return {
    onResult(r, p) {
      if (r.status !== 'verified') failed++;
      const now = Date.now();
      if (!(p.listed && p.done === p.seen) && now - last < 100) return;
      last = now;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 40));
      const filled = Math.round((p.done / Math.max(1, p.seen)) * width);
      bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count(p)} servers, ${failed} not verified`;
      draw();
    },
    onRegistryEvent(e) {
      stream.write(`\r\x1b[2Ktoolseal: ${describeRegistryEvent(e)}\n`);
      if (bar) draw();
    },
    finish() {
      stream.write('\r\x1b[2K');
    },
  };
}
