import { EMOJI_PRESENTATION, isAllowedEmojiSelector } from './invisible.js';

/**
 * Every character a terminal, a log viewer or a CI log would act on or not show: C0/C1
 * controls and DEL (ESC starts ANSI sequences), line and paragraph separators, format
 * controls (bidi overrides reorder what follows), default-ignorable code points (zero-width,
 * TAG, variation selectors), private-use and unassigned code points, and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}]/gu;
/** The same, but a line break and a tab are left alone (for multi-line text toolseal itself wrote). */
const UNSAFE_KEEP_LINES = /(?![\n\t])[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}]/gu;

/** Default longest piece of untrusted text shown in one message, in code points. */
export const UNTRUSTED_TEXT_MAX = 120;

/**
 * Escapes text for a terminal or a log: each unsafe character is shown as `\u{XXXX}`
 * (`\n`, `\r`, `\t` as themselves escaped), so what a server, a bundle or a registry sent can
 * neither move the cursor, clear the screen, reorder a line nor hide text. One U+FE0F right
 * after an emoji stays, as the hidden-Unicode scan allows it.
 *
 * @param options.keepLines - leave `\n` and `\t` as they are (for whole reports toolseal
 *   composed; untrusted pieces inside them must have been escaped with `keepLines: false`)
 */
export function escapeTerminal(text: string, options: { keepLines?: boolean } = {}): string {
  const pattern = options.keepLines ? UNSAFE_KEEP_LINES : UNSAFE;
  if (!pattern.test(text)) return text;
  pattern.lastIndex = 0;
  return text.replace(pattern, (ch, offset: number, whole: string) => {
    if (ch.codePointAt(0) === EMOJI_PRESENTATION && allowedSelectorAt(whole, offset)) return ch;
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    return `\\u{${ch.codePointAt(0)!.toString(16).toUpperCase()}}`;
  });
}

/**
 * Untrusted text as a message may show it: escaped (see {@link escapeTerminal}) and cut to
 * `max` code points, saying how long it was, so a 4 KB tool name cannot fill a refusal.
 */
export function untrusted(text: string, max = UNTRUSTED_TEXT_MAX): string {
  const chars = [...text];
  const cut = chars.length > max ? `${chars.slice(0, max).join('')}… (${chars.length} characters)` : text;
  return escapeTerminal(cut);
}

function allowedSelectorAt(whole: string, offset: number): boolean {
  const before = [...whole.slice(Math.max(0, offset - 2), offset)];
  const after = [...whole.slice(offset + 1, offset + 3)];
  const chars = [...before.slice(-1), '\uFE0F', ...after.slice(0, 1)];
  return before.length > 0 && isAllowedEmojiSelector(chars, 1);
}
