import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  configFileFrom, findConfiguredServers, launchRecord, launchTarget, parseJsonc, readConfigFile, wellKnownConfigs,
  type ConfiguredServer,
} from '../../src/admission/index.js';
import { fixtureHome, SERVERS } from '../helpers/admission.js';

const byName = (servers: ConfiguredServer[], name: string): ConfiguredServer => {
  const s = servers.find((x) => x.name === name);
  if (!s) throw new Error(`no server ${name} in ${servers.map((x) => x.name).join(', ')}`);
  return s;
};

describe('client configurations at their well-known places', () => {
  it('finds every client\'s servers, user and project, in each documented format', async () => {
    const fx = await fixtureHome();
    const found = await findConfiguredServers({ context: fx.context });
    expect(found.files.map((f) => f.client).sort()).toEqual(['claude-code', 'claude-code', 'claude-desktop', 'codex', 'cursor', 'gemini-cli', 'vscode', 'windsurf']);
    expect(found.servers.map((s) => `${s.client}:${s.name}`).sort()).toEqual([
      'claude-code:local-probe', 'claude-code:project-probe', 'claude-code:remote', 'claude-code:user-probe',
      'claude-desktop:desktop-probe', 'claude-desktop:everything',
      'codex:codex-off', 'codex:codex-probe', 'codex:codex-remote',
      'cursor:cursor-probe', 'gemini-cli:gemini-probe', 'gemini-cli:gemini-remote',
      'vscode:asks-for-key', 'vscode:vscode-probe', 'windsurf:windsurf-probe', 'windsurf:windsurf-remote',
    ]);
    const local = byName(found.servers, 'local-probe');
    expect(local.at).toEqual(['projects', fx.project, 'mcpServers', 'local-probe']);
    expect(local.workspace).toBe(fx.project);
    expect(byName(found.servers, 'codex-off').disabled).toBe(true);
    expect(byName(found.servers, 'gemini-remote')).toMatchObject({ transport: 'http', url: 'http://127.0.0.1:9/mcp' });
    expect(byName(found.servers, 'windsurf-remote')).toMatchObject({ transport: 'http', url: 'http://127.0.0.1:9/mcp' });
    expect(byName(found.servers, 'codex-remote')).toMatchObject({ transport: 'http', headers: { 'X-Team': 'platform' }, headerEnv: { Authorization: 'Bearer ${CODEX_REMOTE_TOKEN}' } });
  });

  it('lists the documented locations per platform', () => {
    const at = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv = {}) => wellKnownConfigs({ home: '/h', cwd: '/p', platform, env }).map((f) => f.path);
    expect(at('darwin')).toContain('/h/Library/Application Support/Claude/claude_desktop_config.json');
    expect(at('darwin')).toContain('/h/Library/Application Support/Code/User/mcp.json');
    expect(at('linux', { XDG_CONFIG_HOME: '/x' })).toContain('/x/Claude/claude_desktop_config.json');
    expect(at('win32', { APPDATA: '/h/AppData/Roaming' })).toContain(join('/h/AppData/Roaming', 'Claude', 'claude_desktop_config.json'));
    expect(at('linux', { CODEX_HOME: '/c' })).toContain('/c/config.toml');
    expect(at('linux')).toEqual(expect.arrayContaining(['/p/.mcp.json', '/p/.vscode/mcp.json', '/p/.cursor/mcp.json', '/p/.gemini/settings.json', '/p/.codex/config.toml', '/h/.claude.json']));
  });
});

describe('launching as the client does', () => {
  it('expands each client\'s variables, reads env files, passes Codex env_vars, resolves cwd', async () => {
    const fx = await fixtureHome();
    const { servers } = await findConfiguredServers({ context: fx.context });
    const launch = (name: string) => launchTarget(byName(servers, name), { env: fx.context.env, home: fx.home });
    expect(await launch('project-probe')).toMatchObject({ kind: 'stdio', args: [join(SERVERS, 'launch-probe.mjs'), '--region', 'eu-west-1'], env: { PROBE_TOKEN: 'probe-token-value' }, cwd: fx.project });
    expect(await launch('remote')).toEqual({ kind: 'http', url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'Bearer none' } });
    expect(await launch('cursor-probe')).toMatchObject({ args: [join(SERVERS, 'launch-probe.mjs'), '--home', fx.home], env: { CURSOR_VALUE: 'cursor-source', FROM_ENV_FILE: 'from-cursor-env' } });
    expect(await launch('vscode-probe')).toMatchObject({
      args: [join(SERVERS, 'launch-probe.mjs'), '--workspace', fx.project], env: { FROM_ENV_FILE: 'from the workspace .env', VSCODE_VALUE: 'vscode-source' }, cwd: join(fx.project, 'sub'),
    });
    expect(await launch('gemini-probe')).toMatchObject({ env: { GEMINI_VALUE: 'gemini-source' }, cwd: fx.project });
    expect(await launch('codex-probe')).toMatchObject({ env: { CODEX_VALUE: 'literal ${NOT_EXPANDED}', CODEX_PASSED: 'codex-passed' }, cwd: fx.project });
    expect(await launch('codex-remote')).toEqual({ kind: 'http', url: 'http://127.0.0.1:9/mcp', headers: { 'X-Team': 'platform', Authorization: 'Bearer cx-secret-0004' } });
    await expect(launch('asks-for-key')).rejects.toMatchObject({ code: 'LAUNCH_UNRESOLVED', message: expect.stringContaining('input "api-key"') });
  });

  it('refuses an unset Claude Code variable without default, naming the variable and never a value', async () => {
    const fx = await fixtureHome(['claude-code/.mcp.json']);
    const { servers } = await findConfiguredServers({ context: fx.context });
    const { PROBE_TOKEN: _t, ...env } = fx.context.env;
    await expect(launchTarget(byName(servers, 'project-probe'), { env, home: fx.home })).rejects.toMatchObject({
      code: 'LAUNCH_UNRESOLVED', message: expect.stringMatching(/"project-probe" in .*\.mcp\.json needs the environment variable PROBE_TOKEN/),
    });
  });

  it('records how a server is launched with variable and header names only', async () => {
    const fx = await fixtureHome(['claude_desktop_config.json', 'windsurf/mcp_config.json']);
    const { servers } = await findConfiguredServers({ context: fx.context });
    const records = JSON.stringify(servers.map(launchRecord));
    expect(records).toContain('EVERYTHING_API_KEY');
    expect(records).toContain('X-Api-Key');
    expect(records).not.toContain('sk-desktop-secret-0001');
    expect(records).not.toContain('ws-secret-0002');
  });
});

describe('bad configurations', () => {
  const write = async (name: string, text: string): Promise<string> => {
    const fx = await fixtureHome([]);
    const path = join(fx.project, name);
    await writeFile(path, text);
    return path;
  };

  it('reads comments and trailing commas only where the client does', async () => {
    expect(parseJsonc('{ // c\n "a": [1, 2,], /* d */ "b": "//not a comment", }', 'x')).toEqual({ a: [1, 2], b: '//not a comment' });
    const desktop = await write('claude_desktop_config.json', '{ // Claude Desktop reads plain JSON\n "mcpServers": {} }');
    await expect(readConfigFile(configFileFrom(desktop), { mustExist: true })).rejects.toMatchObject({ code: 'JSON_INVALID', message: expect.stringContaining(desktop) });
  });

  it('names the file for malformed JSON, TOML and duplicate keys', async () => {
    const broken = await write('mcp_config.json', '{ "mcpServers": { "a": ');
    await expect(readConfigFile(configFileFrom(broken), { mustExist: true })).rejects.toMatchObject({ code: 'JSON_INVALID', message: expect.stringContaining(broken) });
    const toml = await write('config.toml', '[mcp_servers.a\ncommand = "x"');
    await expect(readConfigFile(configFileFrom(toml), { mustExist: true })).rejects.toMatchObject({ code: 'TOML_INVALID', message: expect.stringContaining(toml) });
    const dup = await write('claude_desktop_config.json', '{"mcpServers": {"a": {"command": "safe"}, "a": {"command": "evil"}}}');
    await expect(readConfigFile(configFileFrom(dup), { mustExist: true })).rejects.toMatchObject({ code: 'JSON_DUPLICATE_KEY' });
  });

  it('names the file and the server for an entry that runs nothing, or two things', async () => {
    const none = await write('claude_desktop_config.json', '{"mcpServers": {"empty": {"args": ["x"]}}}');
    await expect(readConfigFile(configFileFrom(none), { mustExist: true })).rejects.toMatchObject({
      code: 'CONFIG_SERVER_INVALID', message: `${none}: the MCP server "empty" names no command to run (and no URL). Fix its entry in the file.`,
    });
    const both = await write('claude_desktop_config.json', '{"mcpServers": {"both": {"command": "x", "url": "http://a"}}}');
    await expect(readConfigFile(configFileFrom(both), { mustExist: true })).rejects.toMatchObject({ code: 'CONFIG_SERVER_INVALID', message: expect.stringContaining('"both" names both') });
    const env = await write('claude_desktop_config.json', '{"mcpServers": {"bad-env": {"command": "x", "env": {"TOKEN": 12345}}}}');
    await expect(readConfigFile(configFileFrom(env), { mustExist: true })).rejects.toMatchObject({ message: expect.not.stringContaining('12345') });
  });

  it('asks which client reads a file whose name does not tell, and accepts CLIENT=FILE', async () => {
    const path = await write('servers.json', '{"servers": {}}');
    expect(() => configFileFrom(path)).toThrow(expect.objectContaining({ code: 'CONFIG_CLIENT_UNKNOWN' }));
    expect(() => configFileFrom(path)).toThrow(/Cannot tell which MCP client reads .*servers\.json; name it as CLIENT=FILE/);
    expect(configFileFrom(`vscode=${path}`)).toMatchObject({ client: 'vscode', path });
  });
});
