import { basename, sep } from 'node:path';
import { InputError } from '../errors.js';
import type { ClientId } from './model.js';

/** What a client's variables resolve against. */
export interface ExpandContext {
  env: NodeJS.ProcessEnv;
  home: string;
  /** The project folder, for `${workspaceFolder}`; absent for user-level files. */
  workspace?: string;
  /** Names the server in errors. */
  server: string;
}

/**
 * Expands variables the way the client that reads the file does, so toolseal launches what the
 * client launches:
 * - Claude Code: `${VAR}` and `${VAR:-default}`; an unset variable without default is an error (as in Claude Code).
 * - VS Code, Cursor, Windsurf: `${env:VAR}` (empty when unset), `${userHome}`, `${workspaceFolder}`,
 *   `${workspaceFolderBasename}`, `${pathSeparator}`; `${input:ID}` asks the user, which toolseal cannot do.
 * - Gemini CLI: `$VAR` and `${VAR}`, left as written when unset.
 * - Claude Desktop and Codex: nothing is expanded.
 * Values are never part of an error message: only variable names are.
 *
 * @throws InputError `LAUNCH_UNRESOLVED`
 */
export function expandVariables(client: ClientId, text: string, ctx: ExpandContext): string {
  switch (client) {
    case 'claude-code': return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
      const value = ctx.env[name];
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      throw unresolved(ctx, `needs the environment variable ${name}, which is not set`);
    });
    case 'vscode': case 'cursor': case 'windsurf': return text.replace(/\$\{([^}]+)\}/g, (whole, ref: string) => editorVariable(whole, ref, ctx));
    case 'gemini-cli': return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, a?: string, b?: string) => ctx.env[(a ?? b)!] ?? whole);
    default: return text;
  }
}

/** Expands `${VAR}` templates over the environment (Codex's header variables); unset is an error. */
export function expandEnvTemplate(text: string, ctx: ExpandContext): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const value = ctx.env[name];
    if (value === undefined) throw unresolved(ctx, `needs the environment variable ${name}, which is not set`);
    return value;
  });
}

function editorVariable(whole: string, ref: string, ctx: ExpandContext): string {
  if (ref.startsWith('env:')) return ctx.env[ref.slice(4)] ?? '';
  if (ref.startsWith('input:')) {
    throw unresolved(ctx, `asks the user for the input "${ref.slice(6)}" when it starts, which toolseal cannot answer; put the value in an environment variable (\${env:NAME}) to scan it`);
  }
  if (ref === 'userHome') return ctx.home;
  if (ref === 'pathSeparator' || ref === '/') return sep;
  if (ref === 'workspaceFolder' || ref === 'workspaceFolderBasename') {
    if (!ctx.workspace) throw unresolved(ctx, `uses \${${ref}} outside a project`);
    return ref === 'workspaceFolder' ? ctx.workspace : basename(ctx.workspace);
  }
  return whole;
}

function unresolved(ctx: ExpandContext, what: string): InputError {
  return new InputError('LAUNCH_UNRESOLVED', `The MCP server ${ctx.server} ${what}.`);
}
