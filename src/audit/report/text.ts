import { describeSigner } from '../../verify/identity/describe.js';
import { untrusted } from '../../io/terminal.js';
import type { AuditReport, ServerAudit } from '../result.js';
import { AUDIT_STATUSES } from '../rules.js';

/** A plain-text table for people: one line per server, then the counts. */
export function renderAuditTable(report: AuditReport): string {
  const rows = report.servers.map((s) => [s.status, s.rule.id, oneLine(label(s)), s.cached ? 'cached' : '', oneLine(s.reason)]);
  const header = ['STATUS', 'RULE', 'SERVER', 'CACHE', 'REASON'];
  const widths = header.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  return [line(header), ...rows.map(line), '', summaryLine(report), ''].join('\n');
}

/** `12 servers: 9 verified, 1 mismatch, ...` plus a note when the run was interrupted. */
export function summaryLine(report: AuditReport): string {
  const parts = AUDIT_STATUSES.filter((s) => report.summary[s] > 0).map((s) => `${report.summary[s]} ${s}`);
  const cache = report.cache ? `; cache: ${report.cache.hits} hit(s), ${report.cache.misses} miss(es)` : '';
  const incomplete = report.complete ? '' : ' (INTERRUPTED: not every server was audited; run again to finish)';
  return `${report.servers.length} server(s): ${parts.join(', ') || 'none'}${cache}${incomplete}`;
}

/** A Markdown report: counts, then a table of every server that is not verified, then the verified ones. */
export function renderAuditMarkdown(report: AuditReport): string {
  const failed = report.servers.filter((s) => s.status !== 'verified');
  const ok = report.servers.filter((s) => s.status === 'verified');
  const out = [`# toolseal audit`, '', `Source: ${md(report.source)}`, '', summaryLine(report), ''];
  out.push('| status | count |', '|---|---:|', ...AUDIT_STATUSES.map((s) => `| ${s} | ${report.summary[s]} |`), '');
  if (failed.length > 0) {
    out.push('## Needs attention', '', '| server | status | rule | reason |', '|---|---|---|---|');
    out.push(...failed.map((s) => `| ${md(label(s))} | ${s.status} | ${s.rule.id} ${s.rule.name} | ${md(oneLine(s.reason))} |`), '');
  }
  if (ok.length > 0) {
    out.push('## Verified', '', '| server | manifest | signer |', '|---|---|---|');
    out.push(...ok.map((s) => `| ${md(label(s))} | \`${s.manifestDigest ?? ''}\` | ${md(signerText(s))} |`), '');
  }
  return out.join('\n');
}

function label(s: ServerAudit): string {
  return s.version ? `${s.name}@${s.version}` : s.name;
}

function signerText(s: ServerAudit): string {
  return s.signer ? describeSigner(s.signer) : '';
}

/** Control characters, newlines, bidi controls and invisible characters from registry data never reach the terminal or the table raw; long text is cut. */
function oneLine(text: string): string {
  return untrusted(text, 300);
}

/** Escapes Markdown table and inline syntax in registry-controlled text. */
function md(text: string): string {
  return oneLine(text).replace(/[\\`*_{}[\]<>|#!]/g, (c) => `\\${c}`);
}
