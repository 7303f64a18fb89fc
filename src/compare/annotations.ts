import { locateManifestLines } from '../manifest/locate.js';
import type { ListName } from '../manifest/lists.js';
import { entryPath } from './compare.js';
import { safe } from './render.js';
import type { Change, ManifestDiff } from './schema.js';

/** One difference, placed in the reference manifest file for a code-review annotation. */
export interface DiffAnnotation {
  /** 1-based line in the manifest file: the entry, or the list or member it belongs to; absent when unknown. */
  line?: number;
  /** A short title naming the entry, e.g. `tools/get_weather changed`. */
  title: string;
  /** What differs, one sentence; server text is escaped and cut. */
  message: string;
}

const MAX_NAME = 80;

/** Which side of a diff a manifest file is, and what the other side is called in messages. */
export interface AnnotationSide {
  /** `before`: the file is the reference (`check`'s committed manifest); `after`: the compared one (`verify`'s `manifest`). */
  side: 'before' | 'after';
  /** The other side in a sentence, e.g. `the live server`, `the signed manifest`. */
  other: string;
}

/**
 * Places each entry-level difference of `diff` in the text of a manifest file, so a review
 * shows it inline: an entry the file has at the line where it opens, one it lacks at its
 * list, a server-level change at its member. Hidden-Unicode findings are left to the diff.
 */
export function diffAnnotations(diff: ManifestDiff, manifestText: string, where: AnnotationSide): DiffAnnotation[] {
  const lines = locateManifestLines(manifestText);
  const at = (line: number | undefined) => (line !== undefined ? { line } : {});
  const place = (list: ListName, key: string) => at(lines.entry(list, key) ?? lines.member(list));
  const { other } = where;
  // Entries only in the reference ("removed") and only in the compared side ("added"), told from the file's side.
  const onlyInFile = (entry: string) => `This manifest lists ${entry}; ${other} does not.`;
  const onlyInOther = (entry: string) => `${capitalize(other)} lists ${entry}; this manifest does not.`;
  const out: DiffAnnotation[] = [];
  for (const c of diff.changed) {
    const entry = `${c.list}/${name(c.key)}`;
    out.push({ ...place(c.list, c.key), title: `${entry} changed`, message: `${entry} differs from ${other} at ${pathList(c.changes, entryPath(c.list, c.key))}.` });
  }
  for (const r of diff.renamed) {
    const [here, there] = where.side === 'before' ? [r.from, r.to] : [r.to, r.from];
    out.push({ ...place(r.list, here), title: `${r.list}/${name(here)} renamed`, message: `${r.list}/${name(here)} is ${name(there)} in ${other}.` });
  }
  for (const e of diff.removed) {
    const entry = `${e.list}/${name(e.key)}`;
    const allowed = diff.match === 'subset' ? ' (allowed in subset mode)' : '';
    const message = where.side === 'before' ? onlyInFile(entry) : onlyInOther(entry);
    out.push({ ...place(e.list, e.key), title: `${entry} ${where.side === 'before' ? 'removed' : 'missing'}`, message: `${message.slice(0, -1)}${allowed}.` });
  }
  for (const e of diff.added) {
    const entry = `${e.list}/${name(e.key)}`;
    const message = where.side === 'before' ? onlyInOther(entry) : onlyInFile(entry);
    out.push({ ...place(e.list, e.key), title: `${entry} added`, message });
  }
  if (diff.server.length > 0) {
    const member = diff.server[0]!.path.split('/')[1] ?? '';
    out.push({ ...at(lines.member(member)), title: 'server changed', message: `The server differs from ${other} at ${pathList(diff.server, '')}.` });
  }
  return out;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function name(key: string): string {
  const shown = safe(key);
  return shown.length > MAX_NAME ? `${shown.slice(0, MAX_NAME)}…` : shown;
}

function pathList(changes: Change[], prefix: string): string {
  const shown = changes.slice(0, 5).map((c) => {
    const rel = prefix && c.path.startsWith(prefix) ? c.path.slice(prefix.length) || '/' : c.path;
    return `${name(rel)} (${c.kind === 'model-visible-text' ? 'model-visible text' : 'structural'})`;
  });
  return changes.length > 5 ? `${shown.join(', ')} and ${changes.length - 5} more` : shown.join(', ');
}
