import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifestDigest, validateManifest } from '../../src/index.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { EVERYTHING_BIN, FIXTURES } from './capture.helpers.js';

function expectCleanError(run: CliRun, code: string): void {
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(`toolseal: error [${code}]: `);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace without --debug
}

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'toolseal-cli-capture-')); });

describe('toolseal capture (CLI transcript)', () => {
  it('writes a pretty manifest to -o and a one-line summary with the digest', async () => {
    const out = join(dir, 'everything.json');
    const run = await runCli(['capture', '-o', out, '--stdio', '--', EVERYTHING_BIN, 'stdio']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const text = await readFile(out, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "mediaType": ');
    const manifest = validateManifest(JSON.parse(text), out);
    // The default profile is full: server-everything shows such a client 19 tools, a bare one 13.
    expect(manifest.tools).toHaveLength(19);
    expect(run.stderr).toBe(`toolseal: captured mcp-servers/everything@2.0.0 (client profile full, MCP 2025-11-25): 19 tools, 4 prompts, 7 resources, 2 resource templates; digest ${manifestDigest(manifest)}; written to ${out}\n`);
  });

  it('passes flags after -- to the server, not to toolseal', async () => {
    const run = await runCli(['capture', '--stdio', '--', process.execPath, join(FIXTURES, 'echo-args.mjs'), '--json', '--timeout', '5', '-o', 'x', '--help']);
    expect(run.code).toBe(0);
    const manifest = JSON.parse(run.stdout) as { tools: Array<{ description: string }> };
    expect(JSON.parse(manifest.tools[0]!.description)).toEqual(['--json', '--timeout', '5', '-o', 'x', '--help']);
  });

  it('skips a line that is not JSON on the server\'s stdout, saying so on stderr without repeating it', async () => {
    const run = await runCli(['capture', '--stdio', '--', process.execPath, join(FIXTURES, 'noisy-stdout.mjs')]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).tools.map((t: { name: string }) => t.name)).toEqual(['echo']);
    expect(run.stderr).toMatch(/^toolseal: the MCP server "[^"]+noisy-stdout\.mjs" wrote a line to stdout that is not JSON \(\d+ bytes\); skipped it, as MCP clients do\. Logs belong on stderr\.\n/);
    expect(run.stderr).not.toContain('sk-noise');
  });

  it('prints a JSON summary with --json', async () => {
    const run = await runCli(['capture', '--json', '--client-profile', 'full', '--stdio', '--', process.execPath, join(FIXTURES, 'paginated.mjs')]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { digest: string; clientProfile: string; counts: object; output: null; manifest: unknown };
    expect(summary).toMatchObject({ clientProfile: 'full', counts: { tools: 6, prompts: 1, resources: 1, resourceTemplates: 0 }, output: null });
    expect(summary.digest).toBe(manifestDigest(validateManifest(summary.manifest, 'stdout')));
  });

  it('exits 2 when --stdio has no command', async () => {
    const run = await runCli(['capture', '--stdio']);
    expectCleanError(run, 'USAGE');
    expect(run.stderr).toContain('--stdio needs the server command after --');
  });

  it('exits 2 when no server is given, or both kinds are', async () => {
    expectCleanError(await runCli(['capture']), 'USAGE');
    expectCleanError(await runCli(['capture', '--url', 'http://127.0.0.1:1/mcp', '--stdio', '--', 'x']), 'USAGE');
  });

  it('exits 2 on a malformed URL', async () => {
    const run = await runCli(['capture', '--url', 'not a url']);
    expectCleanError(run, 'URL_INVALID');
    expect(run.stderr).toContain('"not a url" is not a valid URL');
  });

  it('exits 2 naming the server when it dies mid-list', async () => {
    const run = await runCli(['capture', '--stdio', '--', process.execPath, join(FIXTURES, 'crash.mjs')]);
    expectCleanError(run, 'SERVER_CLOSED');
    expect(run.stderr).toContain('crash.mjs');
    expect(run.stderr).toContain('fatal: simulated crash while listing page 2');
  });

  it('exits 2 when the command does not exist, and on a bad timeout or profile', async () => {
    const missing = await runCli(['capture', '--stdio', '--', '/nonexistent/mcp-server']);
    expectCleanError(missing, 'SERVER_SPAWN_FAILED');
    expect(missing.stderr).toContain('/nonexistent/mcp-server');
    expectCleanError(await runCli(['capture', '--timeout', 'soon', '--stdio', '--', 'x']), 'USAGE');
    expectCleanError(await runCli(['capture', '--client-profile', join(dir, 'nope.json'), '--stdio', '--', 'x']), 'FILE_UNREADABLE');
  });

  it('refuses a header without a name, without echoing its value', async () => {
    const run = await runCli(['capture', '--url', 'http://127.0.0.1:1/mcp', '--header', ': Bearer s3cr3t-value']);
    expectCleanError(run, 'SERVER_SPEC_INVALID');
    expect(run.stderr).not.toContain('s3cr3t-value');
  });
});
