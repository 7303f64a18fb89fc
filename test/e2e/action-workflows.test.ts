import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalBytes, captureServer, createManifestVerifier, parsePolicy, readJsonFile, readManifestFile, sha256Hex,
  type Manifest,
} from '../../src/internal.js';
import {
  GITHUB_ACTIONS_ISSUER, startGitHubActionsTokenEndpoint, startGitHubAttestationsApi, startLocalSigstore,
  type GitHubActionsTokenEndpoint, type GitHubAttestationsApi, type LocalSigstore,
} from '../../src/testing/index.js';
import { writeProject, writeStandIns, type StandIns } from '../helpers/runner/stand-ins.js';
import { runWorkflow, type JobRun, type RunnerOptions } from '../helpers/runner/workflow.js';
import { RELEASE, releaseClaims } from './action.helpers.js';
import { EVERYTHING_BIN, FIXTURES, ROOT } from './capture.helpers.js';

const { repository: REPOSITORY, ref: REF, workflowRef: WORKFLOW_REF, san: SAN } = RELEASE;
const CLAIMS = releaseClaims('push');
const EVERYTHING = realpathSync(EVERYTHING_BIN);
const POSTGRES = realpathSync(join(ROOT, 'node_modules', '.bin', 'mcp-server-postgres'));
const WEATHER_KEY = 'wk_live_0123456789abcdef-not-for-print';

/** The YAML block after `<!-- workflow-test: NAME -->` in a Markdown file. */
function snippet(markdown: string, name: string): string {
  const match = new RegExp(`<!-- workflow-test: ${name} -->\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(markdown);
  if (!match) throw new Error(`no block marked workflow-test: ${name}`);
  return match[1]!;
}

describe('the workflows in the README and docs/action.md, run as written', () => {
  let local: LocalSigstore;
  let oidc: GitHubActionsTokenEndpoint;
  let api: GitHubAttestationsApi;
  let work: string;
  let standIns: StandIns;
  let readme: string;
  let docs: string;
  const workflowFile = (name: string) => readFile(join(ROOT, 'docs', 'workflows', name), 'utf8');

  /** Runner options for a job in `workspace`; the Sigstore instance is the loopback one (the only input the harness adds). */
  const runner = (workspace: string, extra: Partial<RunnerOptions> = {}): RunnerOptions => ({
    workspace, repository: REPOSITORY, ref: REF, eventName: 'push', oidc, tokens: { write: api.token, read: api.readToken },
    apiURL: api.url, path: [standIns.bin], env: standIns.env, secrets: { NPM_TOKEN: 'npm-token' },
    toolsealInputs: (mode): Record<string, string> => mode === 'sign' ? { 'fulcio-url': local.fulcioURL, 'rekor-url': local.rekorURL, 'tsa-url': local.tsaURL }
      : mode === 'verify' ? { 'trusted-root': join(work, 'trusted_root.json') } : {},
    ...extra,
  });
  const verifyBundle = async (bundlePath: string, manifest?: Manifest) => {
    const policy = await parsePolicy({
      version: 1, identity: { issuer: GITHUB_ACTIONS_ISSUER, subject: SAN, github: { repository: REPOSITORY } },
      trust: { source: 'trusted-root', path: join(work, 'trusted_root.json') },
    }, 'test policy', work);
    return (await createManifestVerifier({ policy })).verify(await readJsonFile(bundlePath), manifest);
  };

  beforeAll(async () => {
    local = await startLocalSigstore();
    oidc = await startGitHubActionsTokenEndpoint(local, CLAIMS);
    api = await startGitHubAttestationsApi();
    work = await mkdtemp(join(tmpdir(), 'toolseal-workflows-'));
    await local.writeTrustedRoot(join(work, 'trusted_root.json'));
    standIns = await writeStandIns(join(work, 'stand-ins'));
    [readme, docs] = await Promise.all([readFile(join(ROOT, 'README.md'), 'utf8'), readFile(join(ROOT, 'docs', 'action.md'), 'utf8')]);
  });
  afterAll(async () => {
    await Promise.all([oidc?.close(), api?.close(), local?.close()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("the README's excerpt signs into the workspace, the captured manifest into the runner's temp folder it creates", async () => {
    const repo = join(work, 'readme');
    await writeProject(repo, { name: '@acme/weather-mcp', version: '1.4.0', server: EVERYTHING, built: true });
    const [job] = await runWorkflow(snippet(readme, 'readme-sign'), runner(repo));
    const step = job!.steps[1]!;
    expect(step.errors).toEqual([]);
    expect(job!.ok).toBe(true);
    expect(step.outputs['bundle-path']).toBe(join(repo, 'mcp-manifest.sigstore.json'));
    expect(step.outputs['manifest-path']).toMatch(/\/toolseal\/mcp-manifest\.json$/);
    const manifest = await readManifestFile(step.outputs['manifest-path']!);
    const verdict = await verifyBundle(step.outputs['bundle-path']!, manifest);
    expect(verdict.problems).toEqual([]);
    expect(verdict.manifestDigest).toBe(step.outputs['manifest-digest']);
  });

  describe('docs/action.md', () => {
    let repo: string;
    /** A project whose manifest was committed by the sign snippet, for the check test alone. */
    let checkRepo: string;
    beforeAll(async () => {
      repo = join(work, 'docs-repo');
      checkRepo = join(work, 'docs-check-repo');
      await Promise.all([repo, checkRepo].map((dir) => writeProject(dir, { name: '@acme/weather-mcp', version: '1.4.0', server: EVERYTHING })));
      const [signed] = await runWorkflow(snippet(docs, 'sign'), runner(checkRepo));
      if (!signed!.ok) throw new Error(`the sign snippet failed in ${checkRepo}: ${signed!.steps.flatMap((s) => s.errors).join('; ')}`);
    });

    it('sign: builds, signs, and leaves the bundle and the manifest in the workspace', async () => {
      const [job] = await runWorkflow(snippet(docs, 'sign'), runner(repo));
      expect(job!.steps.map((s) => [s.label, s.code])).toEqual([['actions/checkout@v4', 0], ['npm ci && npm run build', 0], ['toolseal', 0]]);
      const manifest = await readManifestFile(join(repo, 'mcp-manifest.json'));
      expect(job!.step('toolseal').outputs['manifest-path']).toBe(join(repo, 'mcp-manifest.json'));
      expect((await verifyBundle(join(repo, 'mcp-manifest.sigstore.json'), manifest)).ok).toBe(true);
      expect(job!.step('toolseal').summary).toContain('## toolseal: signed <code>mcp-servers/everything 2.0.0</code>');
    });

    it('check: passes against the committed manifest, and annotates a drifted entry on its line of mcp-manifest.json', async () => {
      const [same] = await runWorkflow(snippet(docs, 'check'), runner(checkRepo));
      expect(same!.steps[0]!.errors).toEqual([]);
      expect(same!.ok).toBe(true);
      const committed = await readManifestFile(join(checkRepo, 'mcp-manifest.json'));
      committed.tools.find((t) => t.name === 'echo')!.description = 'Echoes back the input (as reviewed)';
      const text = `${JSON.stringify(committed, null, 2)}\n`;
      await writeFile(join(checkRepo, 'mcp-manifest.json'), text);
      const [drift] = await runWorkflow(snippet(docs, 'check'), runner(checkRepo));
      expect(drift!.ok).toBe(false);
      const lines = text.split('\n');
      const line = lines.slice(0, lines.findIndex((l) => l.trim() === '"name": "echo",')).findLastIndex((l) => l.trim() === '{') + 1;
      expect(drift!.steps[0]!.errors).toEqual([
        `::error file=mcp-manifest.json,line=${line},title=toolseal%3A tools/echo changed::tools/echo differs from the live server at /description (model-visible text).`,
        expect.stringMatching(new RegExp(`^::error title=toolseal,file=mcp-manifest\\.json,line=${line}::toolseal verification failed \\[MANIFEST_DRIFT\\]`)),
      ]);
    });

    it('attestation-store: stores the bundle where gh attestation verify looks it up, by the canonical manifest digest', async () => {
      const [job] = await runWorkflow(snippet(docs, 'attestation-store'), runner(repo));
      const step = job!.step('toolseal');
      expect(step.errors).toEqual([]);
      expect(job!.ok).toBe(true);
      const stored = api.stored.at(-1)!;
      expect(step.outputs['attestation-id']).toBe(String(stored.id));
      expect(step.outputs['attestation-url']).toBe(`https://github.com/${REPOSITORY}/attestations/${stored.id}`);
      expect(stored.bundle).toEqual(await readJsonFile(join(repo, 'mcp-manifest.sigstore.json')));
      // What `toolseal canonicalize` writes and `gh attestation verify` digests: the manifest's RFC 8785 bytes.
      const digest = `sha256:${sha256Hex(canonicalBytes(await readManifestFile(join(repo, 'mcp-manifest.json'))))}`;
      const found = await fetch(`${api.url}/repos/${REPOSITORY}/attestations/${digest}`, { headers: { Authorization: `Bearer ${api.readToken}` } });
      expect(found.status).toBe(200);
      expect(((await found.json()) as { attestations: { bundle: unknown }[] }).attestations.map((a) => a.bundle)).toEqual([stored.bundle]);
      expect(step.summary).toContain(`<th align="left">attestation store</th><td><code>${step.outputs['attestation-url']}</code>`);
    });

    it('attestation-store without attestations: write fails with the permission to add, after writing the bundle', async () => {
      const withoutPermission = snippet(docs, 'attestation-store').replace(/^ {2}attestations: write.*\n/m, '');
      expect(withoutPermission).not.toContain('attestations: write');
      const [job] = await runWorkflow(withoutPermission, runner(repo));
      expect(job!.ok).toBe(false);
      expect(job!.step('toolseal').errors).toEqual([expect.stringContaining('[ATTESTATION_STORE_FAILED]: Could not store the attestation in GitHub\'s attestation store: ')]);
      expect(job!.step('toolseal').errors[0]).toContain('HTTP 403: the token may not write attestations. Add "permissions: attestations: write" to the job.');
      const outputs = job!.step('toolseal').outputs;
      expect(outputs['bundle-path']).toBe(join(repo, 'mcp-manifest.sigstore.json'));
      expect(outputs['attestation-id']).toBeUndefined();
      expect((await verifyBundle(outputs['bundle-path']!)).ok).toBe(true);
    });

    it('matrix: one job per server, each in its working directory, with its own manifest and bundle', async () => {
      const mono = join(work, 'monorepo');
      await writeProject(join(mono, 'servers', 'weather'), { name: '@acme/weather-mcp', version: '1.4.0', server: EVERYTHING });
      await writeProject(join(mono, 'servers', 'calendar'), { name: '@acme/calendar-mcp', version: '0.3.0', server: join(FIXTURES, 'paginated.mjs') });
      const jobs = await runWorkflow(snippet(docs, 'matrix'), runner(mono));
      expect(jobs.map((j) => [j.matrix, j.ok])).toEqual([[{ server: 'weather' }, true], [{ server: 'calendar' }, true]]);
      const weather = await readManifestFile(join(mono, 'servers', 'weather', 'mcp-manifest.json'));
      const calendar = await readManifestFile(join(mono, 'servers', 'calendar', 'mcp-manifest.json'));
      expect([weather.server.name, calendar.server.name]).toEqual(['mcp-servers/everything', 'fixture-paginated']);
      expect((await readdir(join(mono, 'bundles'))).sort()).toEqual(['calendar.sigstore.json', 'weather.sigstore.json']);
      expect((await verifyBundle(join(mono, 'bundles', 'calendar.sigstore.json'), calendar)).ok).toBe(true);
    });

    it('dynamic: signs server-postgres with no database reachable; the manifest declares its resources dynamic and verifies', async () => {
      const db = join(work, 'postgres-mcp');
      await writeProject(db, { name: '@acme/postgres-mcp', version: '0.6.2', server: POSTGRES });
      const [job] = await runWorkflow(snippet(docs, 'dynamic'), runner(db));
      const step = job!.step('toolseal');
      expect(step.errors).toEqual([]);
      expect(job!.ok).toBe(true);
      expect(step.stderr).toMatch(/could not list resources \(.*\); they are dynamic \(not signed\)/);
      const manifest = await readManifestFile(step.outputs['manifest-path']!);
      expect(manifest.dynamic).toEqual(['resources']);
      expect(manifest.resources).toEqual([]);
      expect(manifest.tools.map((t) => t.name)).toEqual(['query']);
      expect((await verifyBundle(step.outputs['bundle-path']!, manifest)).ok).toBe(true);

      const [tools] = await runWorkflow(snippet(docs, 'dynamic').replace('dynamic: resources', 'dynamic: tools'), runner(db));
      expect(tools!.ok).toBe(false);
      expect(tools!.step('toolseal').errors[0]).toContain('[DYNAMIC_LIST_INVALID]: The input "dynamic" takes resources or resourceTemplates, not "tools"');
    });

    it('api-key: the key in the step\'s env reaches the server, the runner\'s secrets and the inputs do not, and no value is printed', async () => {
      const weather = join(work, 'weather-key');
      await writeProject(weather, { name: '@acme/weather-mcp', version: '1.4.0', server: join(FIXTURES, 'needs-api-key.mjs'), built: true });
      const report = join(work, 'env-report.json');
      const expected = await captureServer({ kind: 'stdio', command: process.execPath, args: [join(weather, 'dist', 'index.js')], env: { WEATHER_API_KEY: 'any' } });
      await writeFile(join(weather, 'mcp-manifest.json'), JSON.stringify(expected, null, 2));
      const options = runner(weather, { secrets: { WEATHER_API_KEY: WEATHER_KEY }, env: { ...standIns.env, FIXTURE_ENV_REPORT: report } });
      const [job] = await runWorkflow(snippet(docs, 'api-key'), options);
      const step = job!.steps[0]!;
      expect(step.errors).toEqual([]);
      expect(job!.ok).toBe(true);
      const seen = JSON.parse(await readFile(report, 'utf8')) as { names: string[]; cwd: string; keySha256: string };
      expect(seen.keySha256).toBe(createHash('sha256').update(WEATHER_KEY).digest('hex'));
      expect(seen.names).toEqual(expect.arrayContaining(['WEATHER_API_KEY', 'GITHUB_WORKSPACE', 'PATH']));
      expect(seen.names.filter((n) => /^INPUT_|^ACTIONS_(ID_TOKEN|RUNTIME)/.test(n))).toEqual([]);
      expect(seen.cwd).toBe(weather);
      for (const text of [step.stdout, step.stderr, step.summary, JSON.stringify(step.outputs)]) expect(text).not.toContain(WEATHER_KEY);

      const [missing] = await runWorkflow(snippet(docs, 'api-key'), runner(weather, { secrets: {} }));
      expect(missing!.ok).toBe(false);
      expect(missing!.steps[0]!.errors[0]).toContain('WEATHER_API_KEY is not set');
    });
  });

  describe('docs/workflows/: a release, a pull request, and a consumer', () => {
    let publisher: string;
    let consumer: string;
    /** A consumer workspace where verify-dependency.yml installed the package and its bundle, for the docs' verify step. */
    let installedConsumer: string;
    let release: JobRun;
    /** The `gh` calls of the release run alone (later runs append theirs). */
    let releaseCalls: string[][];
    const consumerRunner = (dir: string) => runner(dir, { eventName: 'push', ref: 'refs/heads/main', repository: 'bob/agent' });
    // The release, the released manifest committed in the publisher's repository, and an installed
    // consumer are made here, so each test below runs alone; the first one checks the release run.
    beforeAll(async () => {
      publisher = join(work, 'publisher');
      consumer = join(work, 'consumer');
      installedConsumer = join(work, 'consumer-installed');
      await writeProject(publisher, { name: '@acme/weather-mcp', version: '1.4.0', server: EVERYTHING });
      await Promise.all([mkdir(consumer, { recursive: true }), mkdir(installedConsumer, { recursive: true })]);
      const ghCalls = async (): Promise<string[][]> => (await readFile(join(standIns.releases, 'calls.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
      const before = (await ghCalls()).length;
      [release] = (await runWorkflow(await workflowFile('sign-on-release.yml'), runner(publisher))) as [JobRun];
      if (!release.ok) throw new Error(`the release workflow failed: ${release.steps.flatMap((s) => s.errors).join('; ')}`);
      releaseCalls = (await ghCalls()).slice(before);
      await cp(join(standIns.releases, REPOSITORY, 'v1.4.0', 'mcp-manifest.json'), join(publisher, 'mcp-manifest.json'));
      const [installed] = await runWorkflow(await workflowFile('verify-dependency.yml'), consumerRunner(installedConsumer));
      if (!installed!.ok) throw new Error(`verify-dependency.yml failed: ${installed!.steps.flatMap((s) => s.errors).join('; ')}`);
    });

    it('sign-on-release.yml signs the installed tarball, uploads to a draft, publishes it, and npm-publishes the same tarball', async () => {
      const job = release;
      for (const s of job!.steps) expect([s.label, s.code, s.errors]).toEqual([s.label, 0, []]);
      expect(job!.ok).toBe(true);
      const released = join(standIns.releases, REPOSITORY, 'v1.4.0');
      expect((await readdir(released)).sort()).toEqual(['acme-weather-mcp-1.4.0.tgz', 'mcp-manifest.json', 'mcp-manifest.sigstore.json', 'release.json']);
      expect(JSON.parse(await readFile(join(released, 'release.json'), 'utf8'))).toEqual({ draft: false });
      const calls = releaseCalls;
      expect(calls.map((c) => c.slice(0, 2))).toEqual([['release', 'create'], ['release', 'upload'], ['release', 'edit']]);
      expect(calls.flat()).not.toContain('--clobber');
      const tarball = await readFile(join(released, 'acme-weather-mcp-1.4.0.tgz'));
      expect(await readFile(join(standIns.registry, 'acme-weather-mcp-1.4.0.tgz'))).toEqual(tarball);
      const manifest = await readManifestFile(join(released, 'mcp-manifest.json'));
      const sha256 = createHash('sha256').update(tarball).digest('hex');
      expect(manifest.artifacts).toEqual([{ uri: 'pkg:npm/%40acme/weather-mcp@1.4.0', digest: { sha256 } }]);
      const verdict = await verifyBundle(join(released, 'mcp-manifest.sigstore.json'), manifest);
      expect(verdict.problems).toEqual([]);
      const bundle = await readJsonFile(join(released, 'mcp-manifest.sigstore.json')) as { dsseEnvelope: { payload: string } };
      const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as { subject: { digest: { sha256: string } }[] };
      expect(statement.subject.map((s) => s.digest.sha256)).toContain(sha256);
    });

    it('a second release run for the same tag fails instead of replacing what users may have verified', async () => {
      const [job] = await runWorkflow(await workflowFile('sign-on-release.yml'), runner(publisher));
      expect(job!.ok).toBe(false);
      expect(job!.steps.at(-1)!.stderr).toContain('a release with the same tag name already exists: v1.4.0');
    });

    it('check-drift.yml passes on a pull request that keeps the tools as released', async () => {
      const [job] = await runWorkflow(await workflowFile('check-drift.yml'), runner(publisher, { eventName: 'pull_request', ref: 'refs/pull/7/merge' }));
      expect(job!.step('drift').errors).toEqual([]);
      expect(job!.ok).toBe(true);
      expect(job!.step('drift').outputs.verified).toBe('true');
    });

    it('verify-dependency.yml installs the published package, downloads its bundle and verifies both', async () => {
      const [job] = await runWorkflow(await workflowFile('verify-dependency.yml'), consumerRunner(consumer));
      for (const s of job!.steps) expect([s.label, s.code, s.errors]).toEqual([s.label, 0, []]);
      expect(job!.step('verify').outputs.verified).toBe('true');
      expect(job!.steps.at(-1)!.stdout).toContain(`verified ${job!.step('verify').outputs['manifest-digest']}`);
    });

    it("docs/action.md's verify step, as written, passes in the consumer's workspace", async () => {
      const [job] = await runWorkflow(snippet(docs, 'verify'), runner(installedConsumer, { repository: 'bob/agent', ref: 'refs/heads/main' }));
      expect(job!.steps[0]!.errors).toEqual([]);
      expect(job!.ok).toBe(true);
    });
  });
});
