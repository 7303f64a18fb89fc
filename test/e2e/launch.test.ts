import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureServer, resolveLaunch } from '../../src/index.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { serverJson, startSigningBench, type SigningBench } from './audit.helpers.js';
import { FIXTURES } from './capture.helpers.js';
import { connectProxy } from './proxy.helpers.js';

/** toolseal's and the runner's secrets, set in the caller's environment: none may reach the server. */
const SECRETS = {
  SIGSTORE_ID_TOKEN: 'sekret-oidc-token', TOOLSEAL_KEY_PASSPHRASE: 'sekret-passphrase',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/sekret-url', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'sekret-request-token',
  ACTIONS_RUNTIME_TOKEN: 'sekret-runtime-token', INPUT_API_TOKEN: 'sekret-input',
};
/** What the caller's environment holds besides: inherited as it is (a CA file, a proxy, an npm setting). */
const INHERITED = { NODE_EXTRA_CA_CERTS_LIKE: 'inherited-value', SHARED: 'from-caller' };
/** Values that must never appear in anything toolseal writes. */
const VALUES = ['sekret-api-key', 'file value', 'inherited-value', 'from-flag', ...Object.values(SECRETS)];

let dir: string;
let work: string;
let bench: SigningBench;
const callerEnv = (): NodeJS.ProcessEnv => ({ ...process.env, ...SECRETS, ...INHERITED });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'toolseal-launch-'));
  work = join(dir, 'work');
  mkdirSync(work);
  writeFileSync(join(dir, 'vars.env'), '# the server\'s settings\nFROM_FILE="file value"\nexport SHARED=from-file\n');
  bench = await startSigningBench();
  expect((await runCli(['keygen', join(dir, 'key')])).code).toBe(0);
});
afterAll(async () => { await bench?.sigstore.close(); });

/** The launch flags under test: a variable, an env file, a working directory. */
const launchFlags = (): string[] => ['--env', 'API_KEY=sekret-api-key', '--env', 'SHARED=from-flag', '--env-file', join(dir, 'vars.env'), '--cwd', work];
const server = (report: string): string[] => ['--', process.execPath, join(FIXTURES, 'report-launch.mjs'), join(dir, report)];

/** The one launch the fixture recorded in `report`. */
function launched(report: string): { cwd: string; env: Record<string, string> } {
  const lines = readFileSync(join(dir, report), 'utf8').trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!);
}

/** The launch rule: inherited minus secrets, the env file over it, --env over both, in --cwd. */
function expectLaunchRule(report: string): void {
  const { cwd, env } = launched(report);
  expect(cwd).toBe(realpathSync(work));
  expect(env).toMatchObject({ API_KEY: 'sekret-api-key', SHARED: 'from-flag', FROM_FILE: 'file value', NODE_EXTRA_CA_CERTS_LIKE: 'inherited-value', PATH: process.env.PATH });
  for (const name of Object.keys(SECRETS)) expect(env, name).not.toHaveProperty(name);
}

/** No value of the environment in what toolseal printed or wrote. */
function expectNoValues(run: CliRun, files: string[] = []): void {
  const written = [run.stdout, run.stderr, ...files.map((f) => readFileSync(join(dir, f), 'utf8'))].join('\n');
  for (const value of VALUES) expect(written, value).not.toContain(value);
}

describe('the launch rule, the same in every face', () => {
  it('capture, check, sign and verify start the server with the caller\'s environment minus secrets, --env-file, --env, in --cwd', async () => {
    const env = callerEnv();
    const capture = await runCli(['capture', '--stdio', '-o', join(dir, 'm.json'), ...launchFlags(), ...server('capture.jsonl')], { env });
    expect(capture.code, capture.stderr).toBe(0);
    expectLaunchRule('capture.jsonl');
    expectNoValues(capture, ['m.json']);

    const check = await runCli(['check', '--manifest', join(dir, 'm.json'), '--stdio', ...launchFlags(), ...server('check.jsonl')], { env });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expectLaunchRule('check.jsonl');
    expectNoValues(check);

    const sign = await runCli(['sign', '--key', join(dir, 'key.pem'), '-o', join(dir, 'b.json'), '--manifest-output', join(dir, 'm2.json'), '--stdio', ...launchFlags(), ...server('sign.jsonl')], { env });
    expect(sign.code, sign.stderr).toBe(0);
    expectLaunchRule('sign.jsonl');
    expectNoValues(sign, ['b.json', 'm2.json']);

    const verify = await runCli(['verify', '--bundle', join(dir, 'b.json'), '--key', join(dir, 'key.pub.pem'), '--stdio', ...launchFlags(), ...server('verify.jsonl')], { env });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expectLaunchRule('verify.jsonl');
    expectNoValues(verify);
  });

  it('the stdio proxy starts its server by the same rule as the verify before it', async () => {
    const sign = await runCli(['sign', '--key', join(dir, 'key.pem'), '-o', join(dir, 'proxy-b.json'), '--stdio', ...launchFlags(), ...server('proxy-sign.jsonl')], { env: callerEnv() });
    expect(sign.code, sign.stderr).toBe(0);
    const [, command, ...args] = server('proxy.jsonl');
    const proxied = await connectProxy(['--bundle', join(dir, 'proxy-b.json'), '--key', join(dir, 'key.pub.pem'), ...launchFlags()], { command: command!, args, env: { ...SECRETS, ...INHERITED } });
    try {
      expect((await proxied.client.listTools()).tools.map((t) => t.name)).toEqual(['launch']);
    } finally {
      await proxied.client.close();
    }
    expect(await proxied.exited).toBe(0);
    expectLaunchRule('proxy.jsonl');
    for (const value of VALUES) expect(proxied.stderr(), value).not.toContain(value);
  });

  it('audit --live starts each npm package by the same rule (npx here is a launcher on PATH that runs the fixture)', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    // The fixture writes its report into its working directory: --cwd decides where.
    writeFileSync(join(bin, 'npx'), `#!/bin/sh\nexec "${process.execPath}" "${join(FIXTURES, 'report-launch.mjs')}"\n`);
    chmodSync(join(bin, 'npx'), 0o755);
    const captured = await captureServer({ kind: 'stdio', command: process.execPath, args: [join(FIXTURES, 'report-launch.mjs'), join(dir, 'audit-sign.jsonl')] });
    // Bound to the registry entry's package, as a publisher signs it (the audit refuses an unbound manifest).
    const manifest = { ...captured, artifacts: [{ uri: 'pkg:npm/%40acme/weather-mcp@1.0.0' }] };
    const bundles = join(dir, 'bundles');
    mkdirSync(bundles, { recursive: true });
    // Bound to the entry's npm package, as the audit requires of every signed manifest.
    const bound = { ...manifest, artifacts: [{ uri: 'pkg:npm/%40acme/weather-mcp@1.0.0' }] };
    writeFileSync(join(bundles, 'io.github.acme__weather-mcp.sigstore.json'), JSON.stringify((await bench.sign(bound)).bundle));
    writeFileSync(join(dir, 'server.json'), JSON.stringify(serverJson('io.github.acme/weather-mcp')));
    const env = { ...callerEnv(), PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
    const run = await runCli(['audit', '--server-json', join(dir, 'server.json'), '--bundles', bundles, '--trusted-root', bench.trustedRootPath, '--no-cache', '--live', '--json', ...launchFlags()], { env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).servers[0].status).toBe('verified');
    const { cwd, env: got } = JSON.parse(readFileSync(join(work, 'launch-report.jsonl'), 'utf8').trim());
    expect(cwd).toBe(realpathSync(work));
    expect(got).toMatchObject({ API_KEY: 'sekret-api-key', SHARED: 'from-flag', FROM_FILE: 'file value', NODE_EXTRA_CA_CERTS_LIKE: 'inherited-value' });
    for (const name of Object.keys(SECRETS)) expect(got, name).not.toHaveProperty(name);
    expectNoValues(run);
  });

  it('--clean-env gives only the MCP SDK\'s minimal environment, plus --env', async () => {
    const run = await runCli(['capture', '--stdio', '--clean-env', '--env', 'API_KEY=sekret-api-key', '-o', join(dir, 'clean.json'), ...server('clean.jsonl')], { env: callerEnv() });
    expect(run.code, run.stderr).toBe(0);
    const { env } = launched('clean.jsonl');
    // Node itself may add a variable or two to a child's environment; none of the caller's others.
    expect(Object.keys(env).filter((k) => k in callerEnv() || k === 'API_KEY').sort()).toEqual([...Object.keys(getDefaultEnvironment()), 'API_KEY'].sort());
    expect(env).not.toHaveProperty('NODE_EXTRA_CA_CERTS_LIKE');
  });

  it('what the server declares depends on its environment: verify under another configuration fails, as the proxy would', async () => {
    const flags = ['--env', 'FIXTURE_EXTRA_TOOL=1'];
    const sign = await runCli(['sign', '--key', join(dir, 'key.pem'), '-o', join(dir, 'extra-b.json'), '--stdio', ...flags, ...server('extra-sign.jsonl')], { env: callerEnv() });
    expect(sign.code, sign.stderr).toBe(0);
    const same = await runCli(['verify', '--bundle', join(dir, 'extra-b.json'), '--key', join(dir, 'key.pub.pem'), '--stdio', ...flags, ...server('extra-same.jsonl')], { env: callerEnv() });
    expect(same.code, same.stdout).toBe(0);
    const other = await runCli(['verify', '--bundle', join(dir, 'extra-b.json'), '--key', join(dir, 'key.pub.pem'), '--stdio', ...server('extra-other.jsonl')], { env: callerEnv() });
    expect(other.code, other.stdout).toBe(1);
    expect(other.stdout).toContain('extra');
  });
});

describe('launch flags that cannot be used are refused before anything starts (exit 2, no value echoed)', () => {
  const cases: [string, string[], string, RegExp][] = [
    ['a --env without a name', ['--env', 'sekret-typed-without-name'], 'ENV_INVALID', /--env value #1 is not NAME=value/],
    ['a missing folder', ['--cwd', '/nonexistent/toolseal-dir'], 'CWD_INVALID', /working directory \/nonexistent\/toolseal-dir does not exist/],
  ];
  for (const [what, flags, code, message] of cases) {
    it(what, async () => {
      const run = await runCli(['capture', '--stdio', ...flags, ...server('never.jsonl')]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`[${code}]`);
      expect(run.stderr).toMatch(message);

      expect(run.stderr).not.toContain('sekret');
      expect(run.stderr).not.toContain('at ');
    });
  }

  it('an env file line that is not NAME=value, named by file and line, not quoted', async () => {
    writeFileSync(join(dir, 'bad.env'), 'GOOD=1\nsekret-pasted-alone\n');
    const run = await runCli(['capture', '--stdio', '--env-file', join(dir, 'bad.env'), ...server('never.jsonl')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('[ENV_FILE_INVALID]');
    expect(run.stderr).toContain(`${join(dir, 'bad.env')} line 2: expected NAME=value.`);

    expect(run.stderr).not.toContain('sekret');
  });

  it('launch flags with a URL, and with audit but without --live', async () => {
    const url = await runCli(['capture', '--url', 'http://127.0.0.1:9/mcp', '--env', 'A=1']);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('applies to a server command only');
    expect(url.stderr).toContain('[SERVER_SPEC_INVALID]');

    const audit = await runCli(['audit', '--server-json', join(dir, 'server.json'), '--cwd', work]);
    expect(audit.code).toBe(2);
    expect(audit.stderr).toContain('add --live');
    expect(audit.stderr).toContain('[USAGE]');

  });
});

describe('resolveLaunch (the library function every face calls)', () => {
  it('inherits baseEnv minus secrets, lays env files then env over it, and resolves cwd', () => {
    const launch = resolveLaunch({ baseEnv: { ...SECRETS, KEEP: 'k', SHARED: 'base' }, envFiles: [join(dir, 'vars.env')], env: { SHARED: 'env' }, cwd: dir });
    expect(launch).toEqual({ env: { KEEP: 'k', SHARED: 'env', FROM_FILE: 'file value' }, cwd: realpathSync(dir) });
  });

  // In the CLI a missing --env-file cannot be shown on Node 20, which checks that flag itself
  // even after the script name (exit 9); Node 22 and later leave it to toolseal.
  it('refuses a missing env file, naming it (InputError ENV_FILE_UNREADABLE)', () => {
    expect(() => resolveLaunch({ envFiles: ['/nonexistent/toolseal.env'] })).toThrow(expect.objectContaining({
      code: 'ENV_FILE_UNREADABLE', message: expect.stringContaining('Cannot read the env file /nonexistent/toolseal.env (no such file)'),
    }));
  });
});
