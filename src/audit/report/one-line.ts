/**
 * Registry-controlled text (names, reasons, HTTP reason phrases) as one safe line: control
 * characters, newlines and bidi controls never reach a terminal, a log or a table raw.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]+/g, ' ');
}
