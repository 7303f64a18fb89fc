import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureServer, readManifestFile } from '../../src/index.js';
import {
  startGitHubActionsTokenEndpoint, startLocalSigstore, type GitHubActionsTokenEndpoint, type LocalSigstore,
} from '../../src/testing/index.js';
import { runAction } from './action.helpers.js';
import { FIXTURES } from './capture.helpers.js';

const WEATHER = JSON.stringify([process.execPath, join(FIXTURES, 'needs-api-key.mjs')]);
const KEY = 'wk_live_secret_value_0123456789';
const CLAIMS = (visibility: string) => ({
  sub: 'repo:acme/internal-mcp:ref:refs/heads/main', repository: 'acme/internal-mcp', repository_visibility: visibility,
  ref: 'refs/heads/main', workflow_ref: 'acme/internal-mcp/.github/workflows/sign.yml@refs/heads/main',
  job_workflow_ref: 'acme/internal-mcp/.github/workflows/sign.yml@refs/heads/main',
});

describe('the Action starts the server by the one launch rule, in every mode', () => {
  let local: LocalSigstore;
  let oidc: GitHubActionsTokenEndpoint;
  let privateOidc: GitHubActionsTokenEndpoint;
  let work: string;
  let serverDir: string;
  const file = (name: string) => join(work, name);
  const report = async () => JSON.parse(await readFile(file('report.json'), 'utf8')) as { names: string[]; cwd: string; keySha256: string };
  const instance = () => ({ 'fulcio-url': local.fulcioURL, 'rekor-url': local.rekorURL, 'tsa-url': local.tsaURL });
  const tokenEnv = (endpoint: GitHubActionsTokenEndpoint) => ({ ACTIONS_ID_TOKEN_REQUEST_URL: endpoint.url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: endpoint.requestToken });

  beforeAll(async () => {
    local = await startLocalSigstore();
    oidc = await startGitHubActionsTokenEndpoint(local, CLAIMS('public'));
    privateOidc = await startGitHubActionsTokenEndpoint(local, CLAIMS('private'));
    work = await mkdtemp(join(tmpdir(), 'toolseal-action-launch-'));
    serverDir = file('servers/weather');
    await mkdir(serverDir, { recursive: true });
    await writeFile(join(serverDir, 'weather.config.json'), JSON.stringify({ region: 'alps' }));
    await local.writeTrustedRoot(file('trusted_root.json'));
    // The bundle and manifest the check and verify tests read, made here so every test runs
    // alone; the sign test below signs into its own folder and checks what it wrote.
    const signed = await runAction({
      mode: 'sign', command: WEATHER, env: `WEATHER_API_KEY=${KEY}`, 'working-directory': 'servers/weather',
      'manifest-output': 'signed/weather/mcp-manifest.json', bundle: 'signed/weather/mcp-manifest.sigstore.json', ...instance(),
    }, tokenEnv(oidc), work);
    if (signed.code !== 0) throw new Error(`the fixture bundle could not be signed: ${signed.errors.join('; ')}`);
  });
  afterAll(async () => {
    await Promise.all([oidc?.close(), privateOidc?.close(), local?.close()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('sign: the `env` input and working-directory reach the server, no value is printed, the runner\'s tokens stay out', async () => {
    const run = await runAction({
      mode: 'sign', command: WEATHER, env: `WEATHER_API_KEY=${KEY}\nFIXTURE_ENV_REPORT=${file('report.json')}`, 'working-directory': 'servers/weather',
      'manifest-output': 'out/weather/mcp-manifest.json', bundle: 'out/weather/mcp-manifest.sigstore.json', ...instance(),
    }, { ...tokenEnv(oidc), ACTIONS_RUNTIME_TOKEN: 'runtime-secret' }, work);
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    const seen = await report();
    expect(seen.keySha256).toBe(createHash('sha256').update(KEY).digest('hex'));
    expect(seen.cwd).toBe(serverDir);
    expect(seen.names.filter((n) => /^INPUT_|^ACTIONS_(ID_TOKEN_REQUEST|RUNTIME)/.test(n))).toEqual([]);
    expect(seen.names).toEqual(expect.arrayContaining(['GITHUB_ACTIONS', 'RUNNER_TEMP', 'WEATHER_API_KEY']));
    const manifest = await readManifestFile(file('out/weather/mcp-manifest.json'));
    expect(manifest.tools[0]!.description).toBe('Weather forecast for a city in region alps.');
    for (const text of [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs)]) expect(text).not.toContain(KEY);
  });

  it("check and verify: the step's environment (the key in env:) reaches the server; without it the step fails naming the variable", async () => {
    const stepEnv = { WEATHER_API_KEY: KEY, FIXTURE_ENV_REPORT: file('report.json') };
    const check = await runAction({ mode: 'check', command: WEATHER, 'working-directory': 'servers/weather', manifest: 'signed/weather/mcp-manifest.json' }, stepEnv, work);
    expect(check.errors).toEqual([]);
    expect(check.outputs.verified).toBe('true');
    expect((await report()).cwd).toBe(serverDir);
    const verify = await runAction({
      mode: 'verify', command: WEATHER, 'working-directory': 'servers/weather', bundle: 'signed/weather/mcp-manifest.sigstore.json',
      'trusted-root': file('trusted_root.json'), 'certificate-identity': 'https://github.com/acme/internal-mcp/.github/workflows/sign.yml@refs/heads/main',
      'certificate-oidc-issuer': 'https://token.actions.githubusercontent.com',
    }, stepEnv, work);
    expect(verify.errors).toEqual([]);
    expect(verify.outputs.verified).toBe('true');
    const otherServer = await runAction({
      mode: 'verify', bundle: 'signed/weather/mcp-manifest.sigstore.json', 'trusted-root': file('trusted_root.json'), 'server-name': 'fixture-calendar',
      'certificate-identity': 'https://github.com/acme/internal-mcp/.github/workflows/sign.yml@refs/heads/main', 'certificate-oidc-issuer': 'https://token.actions.githubusercontent.com',
    }, {}, work);
    expect(otherServer.code).toBe(1);
    expect(otherServer.outputs.verified).toBe('false');
    expect(otherServer.errors[0]).toContain('fixture-calendar');
    const without = await runAction({ mode: 'check', command: WEATHER, manifest: 'signed/weather/mcp-manifest.json' }, {}, work);
    expect(without.code).toBe(1);
    expect(without.errors[0]).toContain('WEATHER_API_KEY is not set');
  });

  it('protocol-era: legacy captures an initialize-only server; modern refuses it with the era to use', async () => {
    const stepEnv = { WEATHER_API_KEY: KEY };
    const legacy = await runAction({ mode: 'check', command: WEATHER, 'working-directory': 'servers/weather', manifest: 'signed/weather/mcp-manifest.json', 'protocol-era': 'legacy' }, stepEnv, work);
    expect(legacy.errors).toEqual([]);
    expect(legacy.outputs.verified).toBe('true');
    const modern = await runAction({ mode: 'check', command: WEATHER, 'working-directory': 'servers/weather', manifest: 'signed/weather/mcp-manifest.json', 'protocol-era': 'modern' }, stepEnv, work);
    expect(modern.code).toBe(1);
    expect(modern.errors[0]).toContain('[PROTOCOL_ERA_UNAVAILABLE]');
  });

  it('refuses env and working-directory for an HTTP server, and a working directory that does not exist, before anything runs', async () => {
    const http = await runAction({ mode: 'check', url: 'http://127.0.0.1:9/mcp', env: 'A=b', manifest: 'x.json' }, {}, work);
    expect(http.errors[0]).toContain('applies to a server command only');
    const missing = await runAction({ mode: 'check', command: WEATHER, 'working-directory': 'servers/nowhere', manifest: 'signed/weather/mcp-manifest.json' }, {}, work);
    expect(missing.errors[0]).toContain('[CWD_INVALID]');
    const bad = await runAction({ mode: 'check', command: WEATHER, env: `=${KEY}`, manifest: 'signed/weather/mcp-manifest.json' }, {}, work);
    expect(bad.errors[0]).toContain('[ENV_INVALID]');
    expect(bad.stdout).not.toContain(KEY);
  });

  it('sign: every output path is checked before signing, so a bad one fails before an identity is even requested', async () => {
    await writeFile(file('a-file'), 'not a folder');
    const run = await runAction({ mode: 'sign', command: WEATHER, bundle: 'a-file/mcp-manifest.sigstore.json' }, {}, work);
    expect(run.code).toBe(1);
    expect(run.errors[0]).toContain('[FILE_UNWRITABLE]');
    const same = await runAction({ mode: 'sign', command: WEATHER, bundle: 'x.json', 'manifest-output': 'x.json' }, {}, work);
    expect(same.errors[0]).toContain('name the same file');
  });

  it('sign from a private repository: refused on public-good before signing, unless allow-public-log; a private instance is fine', async () => {
    const refused = await runAction({ mode: 'sign', command: WEATHER, bundle: 'private.sigstore.json', env: `WEATHER_API_KEY=${KEY}` }, tokenEnv(privateOidc), work);
    expect(refused.code).toBe(1);
    expect(refused.errors).toEqual([expect.stringContaining('[PRIVATE_REPOSITORY_PUBLIC_LOG]: The repository acme/internal-mcp is private, and keyless signing on fulcio.sigstore.dev, rekor.sigstore.dev would publish')]);
    await expect(stat(file('private.sigstore.json'))).rejects.toThrow(/ENOENT/);
    const privateInstance = await runAction({ mode: 'sign', command: WEATHER, bundle: 'private.sigstore.json', env: `WEATHER_API_KEY=${KEY}`, ...instance() }, tokenEnv(privateOidc), work);
    expect(privateInstance.errors).toEqual([]);
    expect(privateInstance.code).toBe(0);
  });

  it('show-summary: false writes no summary; a summary over 1 MiB is cut at a row with a note', async () => {
    const env = { FIXTURE_PAGE_SIZE: '200', FIXTURE_PAGES: '50' };
    const big = await captureServer({ kind: 'stdio', command: process.execPath, args: [join(FIXTURES, 'paginated.mjs')], env });
    expect(big.tools.length).toBe(10_000);
    await writeFile(file('big.json'), JSON.stringify(big));
    const command = JSON.stringify([process.execPath, join(FIXTURES, 'paginated.mjs')]);
    const cut = await runAction({ mode: 'check', command, manifest: 'big.json' }, env, work);
    expect(cut.errors).toEqual([]);
    expect(Buffer.byteLength(cut.summary)).toBeLessThanOrEqual(1024 * 1024);
    expect(Buffer.byteLength(cut.summary)).toBeGreaterThan(1000 * 1024);
    expect(cut.summary).toMatch(/<\/tr>\n<\/table>\n\n> \*\*This summary was cut at GitHub's 1 MiB step-summary limit\*\* after \d+ of \d+ lines\./);
    const quiet = await runAction({ mode: 'check', command, manifest: 'big.json', 'show-summary': 'false' }, env, work);
    expect(quiet.code).toBe(0);
    expect(quiet.summary).toBe('');
  });
});
