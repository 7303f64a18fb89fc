import { untrusted } from '../../io/terminal.js';

/**
 * Registry-controlled text (names, reasons, HTTP reason phrases) as one safe line, through the
 * one escaping function for untrusted text: control characters, newlines, ANSI escapes, bidi
 * controls and invisible characters never reach a terminal, a log or a table raw; long text is cut.
 */
export function oneLine(text: string): string {
  return untrusted(text, 300);
}
