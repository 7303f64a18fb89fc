import { escapeTerminal } from './terminal.js';

/**
 * Output escaping for Markdown documents (GitHub job summaries, PR comments), next to the
 * terminal rule in `terminal.ts` that it builds on: one home for how untrusted text is shown.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML inside a Markdown document: `&<>"'` become entities, and control,
 * invisible and bidi characters are escaped as for the terminal (so no line break can end an
 * HTML block and no hidden text can reorder the page).
 */
export function escapeHtml(text: string): string {
  return escapeTerminal(text).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/**
 * Server-controlled text as an HTML `<code>` element, cut at `max` characters. Inside
 * `<code>` GitHub neither links URLs nor turns `@name` into a mention, and after
 * {@link escapeHtml} the text cannot open a tag: a hostile description stays inert text.
 */
export function htmlCode(text: string, max = 200): string {
  const shown = text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
  return `<code>${escapeHtml(shown)}</code>`;
}
