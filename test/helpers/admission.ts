import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LocationContext } from '../../src/admission/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
export const CONFIG_FIXTURES = join(ROOT, 'test', 'fixtures', 'configs');
export const SERVERS = join(ROOT, 'test', 'fixtures', 'servers');
export const NODE_MODULES = join(ROOT, 'node_modules');

/** A fake home and project with every client's configuration fixture at its well-known Linux location. */
export interface FixtureHome {
  home: string;
  project: string;
  context: LocationContext;
  /** Where each fixture landed, by fixture name (e.g. `vscode/mcp.json`). */
  paths: Record<string, string>;
}

/** Where each fixture goes, relative to the home (`~`) or the project (`.`). */
const PLACES: Record<string, string> = {
  'claude_desktop_config.json': '~/.config/Claude/claude_desktop_config.json',
  'claude-code/.claude.json': '~/.claude.json',
  'claude-code/.mcp.json': './.mcp.json',
  'cursor/mcp.json': '~/.cursor/mcp.json',
  'vscode/mcp.json': './.vscode/mcp.json',
  'windsurf/mcp_config.json': '~/.codeium/windsurf/mcp_config.json',
  'gemini/settings.json': '~/.gemini/settings.json',
  'codex/config.toml': '~/.codex/config.toml',
};

/** Copies a fixture with its placeholders replaced. */
export async function placeFixture(name: string, to: string, project: string): Promise<void> {
  const text = (await readFile(join(CONFIG_FIXTURES, name), 'utf8'))
    .replaceAll('__SERVERS__', SERVERS).replaceAll('__NODE_MODULES__', NODE_MODULES).replaceAll('__PROJECT__', project);
  await mkdir(dirname(to), { recursive: true });
  await writeFile(to, text);
}

/** Builds a {@link FixtureHome} in a fresh temporary folder (with the env files the fixtures name). */
export async function fixtureHome(only?: string[]): Promise<FixtureHome> {
  const base = await mkdtemp(join(tmpdir(), 'toolseal-admission-'));
  const home = join(base, 'home');
  const project = join(base, 'project');
  await mkdir(join(project, 'sub'), { recursive: true });
  await mkdir(home, { recursive: true });
  await writeFile(join(project, '.env'), '# workspace env file\nFROM_ENV_FILE="from the workspace .env"\n');
  await writeFile(join(home, 'cursor.env'), 'export FROM_ENV_FILE=from-cursor-env\n');
  const paths: Record<string, string> = {};
  for (const [name, place] of Object.entries(PLACES)) {
    if (only && !only.includes(name)) continue;
    const to = place.startsWith('~') ? join(home, place.slice(2)) : join(project, place.slice(2));
    await placeFixture(name, to, project);
    paths[name] = to;
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: home, PROBE_TOKEN: 'probe-token-value', CURSOR_SOURCE: 'cursor-source', VSCODE_SOURCE: 'vscode-source',
    WINDSURF_SOURCE: 'windsurf-source', GEMINI_SOURCE: 'gemini-source', CODEX_PASSED: 'codex-passed', CODEX_REMOTE_TOKEN: 'cx-secret-0004',
  };
  return { home, project, paths, context: { home, cwd: project, platform: 'linux', env } };
}
