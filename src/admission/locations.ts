import { basename, dirname, join, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import { CLIENT_IDS, type ClientId, type ConfigFile } from './model.js';

/** What the well-known locations depend on; tests pass a fake home and project. */
export interface LocationContext {
  home: string;
  /** The project folder whose project files are read. Default: the current directory. */
  cwd: string;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
}

/** The context of this process. */
export function currentLocationContext(): LocationContext {
  return { home: process.env.HOME ?? process.env.USERPROFILE ?? '', cwd: process.cwd(), platform: process.platform, env: process.env };
}

/**
 * Every configuration file each client reads, per user and for the project in `ctx.cwd`, on
 * this platform (whether or not it exists): Claude Desktop, Claude Code (`~/.claude.json`,
 * `.mcp.json`), Cursor, VS Code (user `mcp.json`, `.vscode/mcp.json`), Windsurf, Gemini CLI and
 * Codex (`$CODEX_HOME/config.toml`, `.codex/config.toml`).
 */
export function wellKnownConfigs(ctx: LocationContext): ConfigFile[] {
  const { home, cwd } = ctx;
  const appData = appDataDir(ctx);
  const codexHome = ctx.env.CODEX_HOME || join(home, '.codex');
  const user = (client: ClientId, path: string): ConfigFile => ({ client, path, scope: 'user' });
  const project = (client: ClientId, path: string): ConfigFile => ({ client, path, scope: 'project', workspace: cwd });
  return [
    user('claude-desktop', join(appData, 'Claude', 'claude_desktop_config.json')),
    user('claude-code', join(home, '.claude.json')),
    project('claude-code', join(cwd, '.mcp.json')),
    user('cursor', join(home, '.cursor', 'mcp.json')),
    project('cursor', join(cwd, '.cursor', 'mcp.json')),
    user('vscode', join(appData, 'Code', 'User', 'mcp.json')),
    project('vscode', join(cwd, '.vscode', 'mcp.json')),
    user('windsurf', join(home, '.codeium', 'windsurf', 'mcp_config.json')),
    user('gemini-cli', join(home, '.gemini', 'settings.json')),
    project('gemini-cli', join(cwd, '.gemini', 'settings.json')),
    user('codex', join(codexHome, 'config.toml')),
    project('codex', join(cwd, '.codex', 'config.toml')),
  ];
}

/** Where applications keep per-user settings: `%APPDATA%`, `~/Library/Application Support`, `$XDG_CONFIG_HOME`. */
function appDataDir(ctx: LocationContext): string {
  if (ctx.platform === 'win32') return ctx.env.APPDATA || join(ctx.home, 'AppData', 'Roaming');
  if (ctx.platform === 'darwin') return join(ctx.home, 'Library', 'Application Support');
  return ctx.env.XDG_CONFIG_HOME || join(ctx.home, '.config');
}

/**
 * A `--config` argument: `FILE`, or `CLIENT=FILE` to say which client reads it. Without a
 * client, the file's name and folder tell (`claude_desktop_config.json`, `.mcp.json`,
 * `.claude.json`, `.cursor/mcp.json`, `.vscode/mcp.json` or `Code/User/mcp.json`,
 * `mcp_config.json`, `.gemini/settings.json`, `*.toml`).
 *
 * @throws InputError `CONFIG_CLIENT_UNKNOWN` when neither says
 */
export function configFileFrom(arg: string, cwd = process.cwd()): ConfigFile {
  const eq = arg.indexOf('=');
  const named = eq > 0 ? arg.slice(0, eq) : undefined;
  if (named !== undefined && (CLIENT_IDS as readonly string[]).includes(named)) {
    return withScope(named as ClientId, resolve(cwd, arg.slice(eq + 1)));
  }
  const path = resolve(cwd, arg);
  const client = clientOfPath(path);
  if (!client) {
    throw new InputError('CONFIG_CLIENT_UNKNOWN', `Cannot tell which MCP client reads ${path}; name it as CLIENT=FILE, where CLIENT is one of ${CLIENT_IDS.join(', ')}.`);
  }
  return withScope(client, path);
}

function withScope(client: ClientId, path: string): ConfigFile {
  const name = basename(path);
  const dir = dirname(path);
  // A project file's workspace is the folder that holds its dot-folder (or the file itself).
  if (name === '.mcp.json') return { client, path, scope: 'project', workspace: dir };
  if (/^\.(?:vscode|cursor|gemini|codex)$/.test(basename(dir))) return { client, path, scope: 'project', workspace: dirname(dir) };
  return { client, path, scope: 'user' };
}

function clientOfPath(path: string): ClientId | undefined {
  const name = basename(path);
  const parent = basename(dirname(path));
  if (name === 'claude_desktop_config.json') return 'claude-desktop';
  if (name === '.mcp.json' || name === '.claude.json') return 'claude-code';
  if (name === 'mcp.json' && parent === '.cursor') return 'cursor';
  if (name === 'mcp.json' && (parent === '.vscode' || path.endsWith(`Code${sep}User${sep}mcp.json`))) return 'vscode';
  if (name === 'mcp_config.json') return 'windsurf';
  if (name === 'settings.json' && parent === '.gemini') return 'gemini-cli';
  if (name.endsWith('.toml')) return 'codex';
  return undefined;
}
