import type { AuditRun, ServerAudit } from '../result.js';
import { Spool, type ReportDestination } from './spool.js';
import type { AuditReportWriter } from './writer.js';

/**
 * Streams the JSON report (`--json`): the same document `JSON.stringify(report, null, 2)`
 * gives, with `servers` last; servers are spooled as they finish.
 */
export async function jsonReportWriter(dir: string, destination: ReportDestination): Promise<AuditReportWriter> {
  const spool = await Spool.open(dir, 'json-servers');
  let count = 0;
  return {
    async add(server: ServerAudit): Promise<void> {
      const text = JSON.stringify(server, null, 2).replace(/^/gm, '    ');
      await spool.write(count++ === 0 ? text : `,\n${text}`);
    },
    async finish(run: AuditRun): Promise<void> {
      const head = JSON.stringify(run, null, 2);
      // `head` is a non-empty object: it ends in "\n}".
      const open = `${head.slice(0, -2)},\n  "servers": [${count > 0 ? '\n' : ''}`;
      await destination.write([open, spool, `${count > 0 ? '\n  ' : ''}]\n}\n`]);
    },
  };
}
