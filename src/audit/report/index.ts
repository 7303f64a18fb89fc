/** Audit reports for people (text, Markdown) and for code scanning (SARIF). */
export { toSarif } from './sarif.js';
export { renderAuditTable, renderAuditMarkdown, summaryLine } from './text.js';
