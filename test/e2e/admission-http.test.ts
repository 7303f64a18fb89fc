import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { configEntry, connectEntry, stringEnv } from './admission.helpers.js';
import { startHttpFixture, type RunningServer } from './capture-servers.helpers.js';

const TOKEN = 'http-secret-6613';

describe('admission of Streamable HTTP servers: wrapped behind the proxy\'s stdio-to-HTTP mode', () => {
  let server: RunningServer;
  let dir: string;
  let vscode: string;
  let codex: string;
  let lock: string;
  let key: string;
  const env = { ...process.env, REMOTE_TOKEN: TOKEN };
  beforeAll(async () => {
    server = await startHttpFixture(TOKEN);
    dir = await mkdtemp(join(tmpdir(), 'toolseal-admission-http-'));
    await mkdir(join(dir, '.vscode'));
    vscode = join(dir, '.vscode', 'mcp.json');
    await writeFile(vscode, `{
  // a remote server with its token written into the file (it happens)
  "servers": { "remote": { "type": "http", "url": "${server.url}", "headers": { "Authorization": "Bearer ${TOKEN}" } } }
}
`);
    codex = join(dir, 'config.toml');
    await writeFile(codex, `# Codex reads the token from the environment
[mcp_servers.codex-remote]
url = "${server.url}"
bearer_token_env_var = "REMOTE_TOKEN"
`);
    lock = join(dir, 'toolseal.lock.json');
    expect((await runCli(['keygen', join(dir, 'k')])).code).toBe(0);
    key = join(dir, 'k.pem');
  });
  afterAll(async () => { await server?.stop(); });

  it('approves both with the token sent as the client sends it, and never prints or records it', async () => {
    const run = await runCli(['approve', '--all', '--config', vscode, '--config', codex, '--lock', lock, '--key', key, '--yes'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Approved remote');
    expect(run.stdout).toContain('Approved codex-remote');
    const lockText = await readFile(lock, 'utf8');
    expect(lockText).toContain('"headerNames": [\n          "Authorization"\n        ]');
    for (const text of [run.stdout, run.stderr, lockText]) expect(text).not.toContain(TOKEN);
    const scan = await runCli(['scan', '--config', vscode, '--config', codex, '--lock', lock], { env });
    expect(scan.stdout).toContain('2 server(s): 2 approved.');
    expect(scan.code).toBe(0);
  });

  it('wraps both as stdio proxies with --upstream; the token stays out of every command line', async () => {
    const originalToml = await readFile(codex);
    for (const config of [vscode, codex]) expect((await runCli(['wrap', '--config', config, '--lock', lock])).code).toBe(0);
    const entry = await configEntry(vscode, 'servers', 'remote');
    expect(entry.args).toContain('--upstream');
    expect(entry.args.join(' ')).not.toContain(TOKEN);
    expect(entry).toMatchObject({ type: 'stdio', env: { TOOLSEAL_HEADER_1: `Bearer ${TOKEN}` } });
    const toml = parseToml(await readFile(codex, 'utf8')) as { mcp_servers: Record<string, { command: string; args: string[]; env_vars: string[] }> };
    const codexEntry = toml.mcp_servers['codex-remote']!;
    expect(codexEntry.args.slice(-2)).toEqual(['--bearer-token-env', 'REMOTE_TOKEN']);
    expect(codexEntry.env_vars).toEqual(['REMOTE_TOKEN']);

    const viaVscode = await connectEntry(entry, dir);
    try {
      expect((await viaVscode.client.listTools()).tools.map((t) => t.name)).toEqual(['greet']);
    } finally {
      await viaVscode.close();
    }
    // Codex passes the variables env_vars names: here the test's REMOTE_TOKEN.
    const viaCodex = await connectEntry({ command: codexEntry.command, args: codexEntry.args, env: stringEnv({ REMOTE_TOKEN: TOKEN }) }, dir);
    try {
      expect((await viaCodex.client.callTool({ name: 'greet', arguments: {} })).content).toEqual([{ type: 'text', text: 'hello' }]);
    } finally {
      await viaCodex.close();
    }
    const scan = await runCli(['scan', '--config', vscode, '--config', codex, '--lock', lock, '--json'], { env });
    expect(JSON.parse(scan.stdout).servers.map((s: { status: string; wrapped?: unknown }) => `${s.status}:${Boolean(s.wrapped)}`)).toEqual(['approved:true', 'approved:true']);
    expect(scan.stdout).not.toContain(TOKEN);
    expect((await runCli(['unwrap', '--config', codex])).code).toBe(0);
    expect(await readFile(codex)).toEqual(originalToml);
  });
});
