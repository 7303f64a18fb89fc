/** Reading and writing files and JSON strictly, for every face. */
export { parseStrictJson, escapePointer } from './strict-json.js';
export { readJsonFile, readTextFile, writeFileAtomic, assertWritableDestination, prepareDestination } from './files.js';
export { formatZodIssues } from './zod-issues.js';
export { escapeTerminal, untrusted, UNTRUSTED_TEXT_MAX } from './terminal.js';
export { escapeHtml, htmlCode } from './escape.js';
export { fetchWithRetry, backoffMs, type RetryOptions, type FetchOutcome } from './http.js';
