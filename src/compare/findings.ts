import { untrusted } from '../io/terminal.js';
import type { ListName } from '../manifest/lists.js';
import type { HiddenUnicodeCategory, HiddenUnicodeFinding, ManifestDiff } from './schema.js';

/**
 * Where a finding is: one list entry, the server's name/version/title, its `instructions`,
 * the capture facts (protocol version, client profile and capabilities) or `exclude`.
 */
export type FindingScope = 'entry' | 'server' | 'instructions' | 'capture' | 'exclude';

/**
 * One fact a comparison established, with its stable code. The codes, one meaning each:
 * - `ENTRY_NOT_SIGNED`: a live entry whose key the signed manifest lacks (added, or renamed:
 *   then `renamedFrom` names the signed key);
 * - `ENTRY_CHANGED`: a live entry that differs from the signed entry of the same key;
 * - `ENTRY_REMOVED`: a signed entry the live side no longer lists;
 * - `SERVER_CHANGED`: a server-level difference (`scope` says which part);
 * - `HIDDEN_UNICODE`: invisible characters in something the model is shown.
 */
export interface DiffFinding {
  code: 'ENTRY_NOT_SIGNED' | 'ENTRY_CHANGED' | 'ENTRY_REMOVED' | 'SERVER_CHANGED' | 'HIDDEN_UNICODE';
  scope: FindingScope;
  /** For `scope: 'entry'`: which entry (the live key; the signed key for `ENTRY_REMOVED`). */
  list?: ListName;
  key?: string;
  /** The entry's digest after the signed exclude paths were stripped, when the diff has it. */
  digest?: string;
  /** For an entry under a new key: the signed key it pairs with. */
  renamedFrom?: string;
  /** The JSON pointer of a server-level change or of hidden Unicode. */
  path?: string;
  /** Why, as a clause a sentence can end with ("differs from the signed entry at ..."). */
  reason: string;
  /** For `HIDDEN_UNICODE`: what was found. */
  hiddenUnicode?: HiddenUnicodeFinding;
}

/** Options of {@link diffFindings}. */
export interface DiffFindingsOptions {
  /** Hidden-Unicode categories the policy allows: not findings. */
  allowHiddenUnicode?: readonly HiddenUnicodeCategory[];
}

/**
 * Turns a diff into findings: the one place that says what a difference between the signed
 * and the live manifest *is*. Each face decides what a finding does (verify: every finding
 * is a problem, removed entries only under `match: exact`; the guard: per entry hide or
 * refuse, capture facts only noted). Entries come in diff order: added and renamed, changed,
 * removed; then server-level changes; then hidden Unicode.
 */
export function diffFindings(diff: ManifestDiff, options: DiffFindingsOptions = {}): DiffFinding[] {
  const out: DiffFinding[] = [];
  for (const a of diff.added) out.push({ code: 'ENTRY_NOT_SIGNED', scope: 'entry', list: a.list, key: a.key, digest: a.digest, reason: 'not in the signed manifest' });
  for (const r of diff.renamed) {
    out.push({ code: 'ENTRY_NOT_SIGNED', scope: 'entry', list: r.list, key: r.to, renamedFrom: r.from, reason: `renamed from "${untrusted(r.from)}"; the signed manifest has no ${r.list} entry "${untrusted(r.to)}"` });
  }
  for (const c of diff.changed) {
    const paths = c.changes.map((x) => x.path);
    const more = paths.length > 3 ? ` and ${paths.length - 3} more` : '';
    out.push({ code: 'ENTRY_CHANGED', scope: 'entry', list: c.list, key: c.key, digest: c.digestAfter, reason: `differs from the signed entry at ${paths.slice(0, 3).map((x) => untrusted(x)).join(', ') || 'an excluded path'}${more}` });
  }
  for (const r of diff.removed) out.push({ code: 'ENTRY_REMOVED', scope: 'entry', list: r.list, key: r.key, digest: r.digest, reason: 'signed, but the server no longer lists it' });
  for (const change of diff.server) {
    out.push({ code: 'SERVER_CHANGED', scope: serverScope(change.path), path: change.path, reason: `${untrusted(change.path)}: ${show(change.before)} → ${show(change.after)}` });
  }
  const allow = new Set(options.allowHiddenUnicode ?? []);
  for (const f of diff.hiddenUnicode) {
    if (allow.has(f.category)) continue;
    out.push({ code: 'HIDDEN_UNICODE', ...unicodeWhere(f.path), path: f.path, reason: unicodeReason(f), hiddenUnicode: f });
  }
  return out;
}

/** The reason of a hidden-Unicode finding: category, where, and what TAG characters or variation selectors spell. */
export function unicodeReason(f: HiddenUnicodeFinding): string {
  const decoded = f.decoded !== undefined ? ` (spelling "${untrusted(f.decoded, 80)}")` : '';
  return `hidden Unicode (${f.category}) at ${untrusted(f.path)}${decoded}`;
}

function serverScope(path: string): FindingScope {
  const root = path.split('/')[1];
  if (root === 'instructions' || root === 'capture' || root === 'exclude') return root;
  return 'server';
}

/** Which entry (or which server part) a hidden-Unicode path lies in. */
function unicodeWhere(path: string): Pick<DiffFinding, 'scope' | 'list' | 'key'> {
  const [, root = '', token = ''] = path.split('/');
  if (root === 'server' || root === 'instructions') return { scope: root };
  return { scope: 'entry', list: root as ListName, key: token.replace(/~1/g, '/').replace(/~0/g, '~') };
}

/** A value as a reason shows it: JSON, escaped for the terminal, cut at 80 characters. */
function show(value: unknown): string {
  return value === undefined ? '(absent)' : untrusted(JSON.stringify(value), 80);
}
