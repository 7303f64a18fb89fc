import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { DiffAnnotation, ToolsealError } from '../../src/internal.js';
import { commandData } from './runner-files.js';

/** Differences placed in one manifest file. */
export interface FileAnnotations {
  /** The manifest file, as the input named it. */
  file: string;
  items: DiffAnnotation[];
}

/** Where an annotation points: a file relative to the workspace, and a line in it. */
export interface AnnotationLocation {
  file: string;
  line?: number;
}

/**
 * GitHub shows at most 10 error annotations per step; the step's final error is one, so
 * at most 9 differences get their own and the rest are counted in a notice.
 */
export const MAX_ENTRY_ANNOTATIONS = 9;

/** A failed verdict, with the manifest file (and line) the step's final error points at. */
export class StepFailure extends Error {
  constructor(readonly verdict: ToolsealError, readonly location?: AnnotationLocation) {
    super(verdict.message);
  }
}

/**
 * Prints one `::error file=…,line=…,title=…::` annotation per difference (up to
 * {@link MAX_ENTRY_ANNOTATIONS}), so a pull request shows each at the manifest's changed
 * entry — `::warning` when the step passes anyway (a removal in subset mode) — and returns
 * where the step's final error should point (the first difference).
 */
export function annotate(write: (text: string) => void, annotations: FileAnnotations, env: NodeJS.ProcessEnv, level: 'error' | 'warning'): AnnotationLocation {
  const file = workspaceFile(annotations.file, env);
  const shown = annotations.items.slice(0, MAX_ENTRY_ANNOTATIONS);
  for (const a of shown) {
    write(`::${level} ${properties({ file, line: a.line, title: `toolseal: ${a.title}` })}::${commandData(a.message)}\n`);
  }
  const more = annotations.items.length - shown.length;
  if (more > 0) write(`::notice ${properties({ file, title: 'toolseal' })}::${more} more difference${more > 1 ? 's are' : ' is'} in the job summary and the diff output.\n`);
  const line = annotations.items.find((a) => a.line !== undefined)?.line;
  return { file, ...(line !== undefined ? { line } : {}) };
}

/** The error command of the step's final failure: with `file=`/`line=` when it has a location. */
export function errorCommand(message: string, location?: AnnotationLocation): string {
  return `::error ${properties({ title: 'toolseal', ...location })}::${commandData(message)}\n`;
}

/** A manifest path as GitHub matches it to a pull request's files: relative to the workspace, `/`-separated. */
export function workspaceFile(file: string, env: NodeJS.ProcessEnv): string {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const rel = relative(workspace, resolve(file));
  return (rel.startsWith('..') || isAbsolute(rel) ? resolve(file) : rel).split(sep).join('/');
}

/** `key=value,…` of a workflow command, with `%`, CR, LF, `:` and `,` escaped as the runner expects in properties. */
function properties(props: Record<string, string | number | undefined>): string {
  return Object.entries(props)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]) => `${k}=${commandData(String(v)).replace(/:/g, '%3A').replace(/,/g, '%2C')}`)
    .join(',');
}
