import { entryPath } from './compare.js';
import { escapeHtml, htmlCode } from '../io/escape.js';
import { countParts, hiddenCount, showValue } from './render.js';
import type { Change, ManifestDiff } from './schema.js';

/** Options for {@link renderDiffMarkdown}. */
export interface MarkdownRenderOptions {
  /** Longest value shown, in characters, before it is cut with "…" (default 200). */
  maxValueLength?: number;
}

/**
 * Renders a diff as Markdown for GitHub (job summaries, PR comments): a one-line verdict,
 * then an HTML table with one row per difference: the entry, what happened, the path, whether
 * it is *model-visible text* or *structural*, and the values before and after. Every value
 * from a server goes through {@link htmlCode}. The table is HTML (not a pipe table) because a
 * pipe table cannot hold arbitrary text safely: `\|` inside a cell still splits it.
 */
export function renderDiffMarkdown(diff: ManifestDiff, options: MarkdownRenderOptions = {}): string {
  const max = options.maxValueLength ?? 200;
  const rows: string[] = [];
  const row = (cells: string[]) => rows.push(`<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`);
  for (const e of diff.added) row([htmlCode(`${e.list}/${e.key}`), 'added', '', 'structural', '', htmlCode(e.digest)]);
  for (const e of diff.removed) {
    row([htmlCode(`${e.list}/${e.key}`), diff.match === 'subset' ? 'removed (allowed in subset mode)' : 'removed', '', 'structural', htmlCode(e.digest), '']);
  }
  for (const r of diff.renamed) {
    row([htmlCode(`${r.list}/${r.from}`), `renamed to ${htmlCode(r.to)}`, '', 'structural', '', '']);
    for (const c of r.changes) row(changeCells(`${r.list}/${r.to}`, c, entryPath(r.list, r.to), max));
  }
  for (const c of diff.changed) {
    for (const change of c.changes) row(changeCells(`${c.list}/${c.key}`, change, entryPath(c.list, c.key), max));
  }
  for (const change of diff.server) row(changeCells('server', change, '', max));
  const out = [`**${verdictLine(diff)}**`, ''];
  if (rows.length > 0) {
    const head = ['entry', 'change', 'path', 'kind', 'before', 'after'].map((h) => `<th>${h}</th>`).join('');
    out.push(`<table><tr>${head}</tr>`, ...rows, '</table>', '');
  }
  if (diff.hiddenUnicode.length > 0) {
    out.push('Hidden Unicode in the live manifest:', '');
    for (const f of diff.hiddenUnicode) {
      const decoded = f.decoded !== undefined ? `, spelling ${htmlCode(f.decoded, max)}` : '';
      out.push(`- ${f.category} at ${htmlCode(f.path)}${f.target === 'key' ? ' (in the member name)' : ''}: ${f.codePoints.join(' ')}${decoded}`);
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

function changeCells(entry: string, change: Change, prefix: string, max: number): string[] {
  const rel = prefix && change.path.startsWith(prefix) ? change.path.slice(prefix.length) || '/' : change.path;
  const what = change.before === undefined ? 'added' : change.after === undefined ? 'removed' : 'changed';
  const value = (v: unknown) => (v === undefined ? '' : `<code>${escapeHtml(showValue(v, max))}</code>`);
  const kind = change.kind === 'model-visible-text' ? '<b>model-visible text</b>' : 'structural';
  return [htmlCode(entry), what, htmlCode(rel), kind, value(change.before), value(change.after)];
}

function verdictLine(diff: ManifestDiff): string {
  const what = diff.equal ? 'the manifests are equal' : countParts(diff).join(', ') || 'no entry differs';
  return `${diff.ok ? 'Matches' : 'Does not match'} (match: ${diff.match}): ${what}${hiddenCount(diff)}`;
}
