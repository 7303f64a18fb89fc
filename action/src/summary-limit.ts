/** GitHub's limit on one step's job summary: a larger `$GITHUB_STEP_SUMMARY` is not shown at all. */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;

/**
 * Cuts a Markdown summary to at most `budgetBytes` (UTF-8) at a line boundary, closes any
 * HTML table the cut left open, and says so in a note, so the summary is shown rather than
 * refused. Summaries put one table row per line, so a cut never splits a row.
 */
export function fitSummary(markdown: string, budgetBytes: number): string {
  if (Buffer.byteLength(markdown) <= budgetBytes) return markdown;
  const lines = markdown.split('\n');
  const note = (shown: number) => `\n\n> **This summary was cut at GitHub's 1 MiB step-summary limit** after ${shown} of ${lines.length} lines. Every entry and change is in the manifest file and the step's \`diff\` output.\n`;
  const room = budgetBytes - Buffer.byteLength(note(lines.length)) - Buffer.byteLength('\n</table>');
  let used = 0;
  let kept = 0;
  while (kept < lines.length && used + Buffer.byteLength(lines[kept]!) + 1 <= room) used += Buffer.byteLength(lines[kept++]!) + 1;
  const text = lines.slice(0, kept).join('\n');
  const open = (text.match(/<table\b/g) ?? []).length - (text.match(/<\/table>/g) ?? []).length;
  return `${text}${open > 0 ? '\n</table>'.repeat(open) : ''}${note(kept)}`;
}
