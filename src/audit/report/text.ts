import { describeSigner } from '../../verify/identity/describe.js';
import type { AuditReport, AuditRun, ServerAudit } from '../result.js';
import { AUDIT_STATUSES } from '../rules.js';
import { oneLine } from './one-line.js';
import { Spool, type ReportDestination } from './spool.js';
import type { AuditReportWriter } from './writer.js';

/** Column widths of the table; the server column grows for a longer name. */
const STATUS_WIDTH = 12;
const RULE_WIDTH = 6;
const SERVER_WIDTH = 40;
const CACHE_WIDTH = 6;

/** A plain-text table for people: one line per server (deprecated ones marked), then the counts. */
export function renderAuditTable(report: AuditReport): string {
  return [tableHeader(), ...report.servers.map(tableRow), '', ...tableFooter(report), ''].join('\n');
}

function tableHeader(): string {
  return row('STATUS', 'RULE', 'SERVER', 'CACHE', 'REASON');
}

/** One server as a table line; registry text is made one safe line. */
function tableRow(s: ServerAudit): string {
  return row(s.status, s.rule.id, label(s), s.cached ? 'cached' : '', oneLine(s.reason));
}

function row(status: string, rule: string, server: string, cache: string, reason: string): string {
  return [status.padEnd(STATUS_WIDTH), rule.padEnd(RULE_WIDTH), server.padEnd(SERVER_WIDTH), cache.padEnd(CACHE_WIDTH), reason].join('  ').trimEnd();
}

function tableFooter(run: AuditRun): string[] {
  const listing = listingLine(run);
  return [summaryLine(run), ...(listing ? [listing] : [])];
}

/** `12 servers: 9 verified, 1 mismatch, ...` plus deprecations, the cache and an interruption. */
export function summaryLine(run: AuditRun): string {
  const total = AUDIT_STATUSES.reduce((n, s) => n + run.summary[s], 0);
  const parts = AUDIT_STATUSES.filter((s) => run.summary[s] > 0).map((s) => `${run.summary[s]} ${s}`);
  const deprecated = run.listing?.deprecated ? `; ${run.listing.deprecated} deprecated in the registry` : '';
  const cache = run.cache ? `; cache: ${run.cache.hits} hit(s), ${run.cache.misses} miss(es)` : '';
  const incomplete = run.complete ? '' : ' (INTERRUPTED: not every server was audited; run again to finish)';
  return `${total} server(s): ${parts.join(', ') || 'none'}${deprecated}${cache}${incomplete}`;
}

/** How the list was read: `read https://…/v0.1/servers (API v0.1, 3 pages); skipped 2 older versions, 1 deleted`. */
export function listingLine(run: AuditRun): string | undefined {
  const l = run.listing;
  if (!l) return undefined;
  const where = l.url ? `read ${l.url} (API ${l.api}, ${l.pages} page(s)${l.latestQuery ? ', version=latest' : ''})` : `read ${l.files ?? 0} file(s)`;
  const skipped = [l.skippedNotLatest ? `${l.skippedNotLatest} older version(s)` : '', l.skippedDeleted ? `${l.skippedDeleted} deleted` : ''].filter(Boolean);
  return `${where}${skipped.length ? `; skipped ${skipped.join(', ')}` : ''}`;
}

/** Streams the table: rows are spooled as servers finish, printed with the counts at the end. */
export async function tableWriter(dir: string, destination: ReportDestination): Promise<AuditReportWriter> {
  const spool = await Spool.open(dir, 'table');
  return {
    add: (server) => spool.write(`${tableRow(server)}\n`),
    finish: (run) => destination.write([`${tableHeader()}\n`, spool, `\n${tableFooter(run).join('\n')}\n`]),
  };
}

/** A Markdown report: counts, then a table of every server that is not verified, then the verified ones. */
export function renderAuditMarkdown(report: AuditReport): string {
  const failed = report.servers.filter((s) => s.status !== 'verified').map(attentionRow);
  const ok = report.servers.filter((s) => s.status === 'verified').map(verifiedRow);
  return [markdownHead(report), ...(failed.length ? [ATTENTION, ...failed, ''] : []), ...(ok.length ? [VERIFIED, ...ok, ''] : [])].join('\n');
}

const ATTENTION = '## Needs attention\n\n| server | status | rule | reason |\n|---|---|---|---|';
const VERIFIED = '## Verified\n\n| server | manifest | signer |\n|---|---|---|';

function markdownHead(run: AuditRun): string {
  const listing = listingLine(run);
  const out = ['# toolseal audit', '', `Source: ${md(run.source)}`, '', md(summaryLine(run)), ...(listing ? ['', md(listing)] : []), ''];
  out.push('| status | count |', '|---|---:|', ...AUDIT_STATUSES.map((s) => `| ${s} | ${run.summary[s]} |`), '');
  return out.join('\n');
}

function attentionRow(s: ServerAudit): string {
  return `| ${md(label(s))} | ${s.status} | ${s.rule.id} ${s.rule.name} | ${md(oneLine(s.reason))} |`;
}

function verifiedRow(s: ServerAudit): string {
  return `| ${md(label(s))} | \`${s.manifestDigest ?? ''}\` | ${md(signerText(s))} |`;
}

/** Streams the Markdown report: both tables are spooled, joined under the counts at the end. */
export async function markdownWriter(dir: string, destination: ReportDestination): Promise<AuditReportWriter> {
  const failed = await Spool.open(dir, 'md-attention');
  const ok = await Spool.open(dir, 'md-verified');
  const count = { failed: 0, ok: 0 };
  return {
    async add(server) {
      if (server.status === 'verified') {
        count.ok++;
        await ok.write(`${verifiedRow(server)}\n`);
      } else {
        count.failed++;
        await failed.write(`${attentionRow(server)}\n`);
      }
    },
    finish: (run) => destination.write([
      `${markdownHead(run)}\n`,
      ...(count.failed ? [`${ATTENTION}\n`, failed, '\n'] : []),
      ...(count.ok ? [`${VERIFIED}\n`, ok, '\n'] : []),
    ]),
  };
}

function label(s: ServerAudit): string {
  const name = s.version ? `${s.name}@${s.version}` : s.name;
  return s.registryStatus === 'deprecated' ? `${oneLine(name)} (deprecated)` : oneLine(name);
}

function signerText(s: ServerAudit): string {
  return s.signer ? describeSigner(s.signer) : '';
}

/** Escapes Markdown table and inline syntax in registry-controlled text. */
function md(text: string): string {
  return oneLine(text).replace(/[\\`*_{}[\]<>|#!]/g, (c) => `\\${c}`);
}
