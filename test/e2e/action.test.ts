import { realpathSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captureServer, createManifestVerifier, entryDigests, manifestDigest, ManifestDiffSchema, parsePolicy, readJsonFile,
  readManifestFile, type Manifest,
} from '../../src/internal.js';
import {
  GITHUB_ACTIONS_ISSUER, startGitHubActionsTokenEndpoint, startLocalSigstore, type GitHubActionsTokenEndpoint, type LocalSigstore,
} from '../../src/testing/index.js';
import { RELEASE, releaseClaims, runAction } from './action.helpers.js';
import { EVERYTHING_BIN, FIXTURES } from './capture.helpers.js';

const { repository: REPOSITORY, ref: REF, workflowRef: WORKFLOW_REF, san: SAN } = RELEASE;
const CLAIMS = releaseClaims('release');
/** server-everything over stdio, as the `command` input (shell-like words; no shell runs it). */
const EVERYTHING = `${process.execPath} ${realpathSync(EVERYTHING_BIN)} stdio`;

describe('the GitHub Action, run from its committed bundle as the runner runs it', () => {
  let local: LocalSigstore;
  let endpoint: GitHubActionsTokenEndpoint;
  let work: string;
  const file = (name: string) => join(work, name);
  const oidc = () => ({ ACTIONS_ID_TOKEN_REQUEST_URL: endpoint.url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: endpoint.requestToken });
  const instance = () => ({ 'fulcio-url': local.fulcioURL, 'rekor-url': local.rekorURL, 'tsa-url': local.tsaURL });
  const pins = () => ({
    'trusted-root': file('trusted_root.json'), 'certificate-identity': SAN, 'certificate-oidc-issuer': GITHUB_ACTIONS_ISSUER,
    'github-repository': REPOSITORY, 'github-workflow-ref': WORKFLOW_REF,
  });

  beforeAll(async () => {
    local = await startLocalSigstore();
    endpoint = await startGitHubActionsTokenEndpoint(local, CLAIMS);
    work = await mkdtemp(join(tmpdir(), 'toolseal-action-'));
    await local.writeTrustedRoot(file('trusted_root.json'));
  });
  afterAll(async () => {
    await Promise.all([endpoint?.close(), local?.close()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe('mode: sign', () => {
    let run: Awaited<ReturnType<typeof runAction>>;
    let manifest: Manifest;
    /** drifted.json: the signed manifest with echo's description and an input type changed (read by a check and a verify test). */
    let driftedText: string;
    beforeAll(async () => {
      run = await runAction({
        mode: 'sign', command: EVERYTHING, 'manifest-output': 'mcp-manifest.json',
        artifact: 'pkg:npm/%40acme/weather-mcp@1.4.0', ...instance(),
      }, oidc(), work);
      manifest = await readManifestFile(file('mcp-manifest.json'));
      const drifted = structuredClone(manifest);
      const echo = drifted.tools.find((t) => t.name === 'echo')!;
      echo.description = 'Echoes back the input (reviewed)';
      (echo.inputSchema as { properties: { message: { type: string } } }).properties.message.type = 'number';
      driftedText = `${JSON.stringify(drifted, null, 2)}\n`;
      await writeFile(file('drifted.json'), driftedText);
    });

    it('succeeds and sets bundle-path, manifest-digest and manifest-path', async () => {
      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      expect(run.outputs['bundle-path']).toBe(file('mcp-manifest.sigstore.json'));
      expect((await stat(run.outputs['bundle-path']!)).size).toBeGreaterThan(1000);
      expect(run.outputs['manifest-path']).toBe(file('mcp-manifest.json'));
      expect(run.outputs['manifest-digest']).toBe(manifestDigest(manifest));
      expect(manifest.artifacts).toEqual([{ uri: 'pkg:npm/%40acme/weather-mcp@1.4.0' }]);
    });

    it('writes a job summary naming the server, the signer and every tool with its entry digest', () => {
      expect(run.summary).toContain('## toolseal: signed <code>mcp-servers/everything 2.0.0</code>');
      expect(run.summary).toContain(`<code>${SAN} (issuer ${GITHUB_ACTIONS_ISSUER}, repository https://github.com/${REPOSITORY})</code>`);
      expect(run.summary).toContain(`<th align="left">workflow</th><td><code>${SAN}</code>`);
      expect(run.summary).toContain(`<code>${run.outputs['manifest-digest']}</code>`);
      const tools = entryDigests(manifest).filter((e) => e.list === 'tools');
      expect(tools.length).toBeGreaterThan(5);
      for (const tool of tools) expect(run.summary).toContain(`<tr><td>tool</td><td><code>${tool.key}</code></td><td><code>${tool.digest}</code></td></tr>`);
      expect(run.summary).toContain(`### Entries: ${tools.length} tools`);
    });

    it('produces a bundle that verifies with a policy pinned to the repository and workflow the token carried', async () => {
      const bundle = await readJsonFile(run.outputs['bundle-path']!);
      const policy = await parsePolicy({
        version: 1,
        identity: { issuer: GITHUB_ACTIONS_ISSUER, subject: SAN, github: { repository: REPOSITORY, workflowRef: WORKFLOW_REF, ref: 'refs/tags/v*' } },
        trust: { source: 'trusted-root', path: file('trusted_root.json') },
      }, 'test policy', work);
      const verdict = (await createManifestVerifier({ policy })).verify(bundle, manifest);
      expect(verdict.problems).toEqual([]);
      expect(verdict.ok).toBe(true);
      expect(verdict.manifestDigest).toBe(run.outputs['manifest-digest']);
      expect(verdict.signer).toMatchObject({ kind: 'keyless', subject: SAN, claims: { sourceRepositoryRef: REF } });

      const elsewhere = await parsePolicy({ ...policy, identity: { issuer: GITHUB_ACTIONS_ISSUER, subject: SAN, github: { repository: 'acme/other' } } }, 'test policy', work);
      const refused = (await createManifestVerifier({ policy: elsewhere })).verify(bundle);
      expect(refused.ok).toBe(false);
      expect(refused.problems.map((p) => p.code)).toEqual(['GITHUB_CLAIM_MISMATCH']);
    });

    it('mode: check passes against the manifest it captured', async () => {
      const check = await runAction({ mode: 'check', command: EVERYTHING, manifest: 'mcp-manifest.json' }, {}, work);
      expect(check.errors).toEqual([]);
      expect(check.code).toBe(0);
      expect(check.outputs.verified).toBe('true');
      expect(check.outputs['manifest-digest']).toBe(run.outputs['manifest-digest']);
      expect(check.summary).toContain('matches its manifest');
      expect(check.summary).toContain('the manifests are equal');
    });

    it('mode: check fails on a drifted server, with the diff in the summary and the diff output', async () => {
      const check = await runAction({ mode: 'check', command: EVERYTHING, manifest: 'drifted.json' }, { GITHUB_WORKSPACE: work }, work);
      expect(check.code).toBe(1);
      // The entry's line, found here by reading the file: the `{` that opens the tool named echo.
      const lines = driftedText.split('\n');
      const nameLine = lines.findIndex((l) => l.trim() === '"name": "echo",');
      const line = lines.slice(0, nameLine).findLastIndex((l) => l.trim() === '{') + 1;
      expect(line).toBeGreaterThan(10);
      expect(check.errors).toEqual([
        `::error file=drifted.json,line=${line},title=toolseal%3A tools/echo changed::tools/echo differs from the live server at /description (model-visible text), /inputSchema/properties/message/type (structural).`,
        expect.stringMatching(new RegExp(`^::error title=toolseal,file=drifted\\.json,line=${line}::toolseal verification failed \\[MANIFEST_DRIFT\\]: .* no longer matches drifted\\.json`)),
      ]);
      expect(check.outputs.verified).toBe('false');
      const diff = ManifestDiffSchema.parse(JSON.parse(check.outputs.diff!));
      expect(diff.changed.map((c) => c.key)).toEqual(['echo']);
      expect(diff.changed[0]!.changes.map((c) => [c.path, c.kind])).toEqual([
        ['/tools/echo/description', 'model-visible-text'],
        ['/tools/echo/inputSchema/properties/message/type', 'structural'],
      ]);
      expect(check.summary).toContain('DRIFTED from its manifest');
      expect(check.summary).toMatch(/<td><code>tools\/echo<\/code><\/td><td>changed<\/td><td><code>\/description<\/code><\/td><td><b>model-visible text<\/b><\/td><td><code>&quot;Echoes back the input \(reviewed\)&quot;<\/code><\/td>/);
      expect(check.summary).toContain('<td><code>/inputSchema/properties/message/type</code></td><td>structural</td><td><code>&quot;number&quot;</code></td><td><code>&quot;string&quot;</code></td>');
    });

    it('mode: verify passes against the live server with identity pins and the trusted root', async () => {
      const verify = await runAction({ mode: 'verify', command: EVERYTHING, bundle: 'mcp-manifest.sigstore.json', ...pins() }, {}, work);
      expect(verify.errors).toEqual([]);
      expect(verify.code).toBe(0);
      expect(verify.outputs).toMatchObject({ verified: 'true', 'manifest-digest': run.outputs['manifest-digest'], 'bundle-path': file('mcp-manifest.sigstore.json') });
      expect(JSON.parse(verify.outputs.diff!)).toMatchObject({ equal: true, ok: true });
      expect(verify.summary).toContain('## toolseal: verified <code>mcp-servers/everything 2.0.0</code>');
      expect(verify.summary).toContain(`<th align="left">repository</th><td><code>https://github.com/${REPOSITORY}</code>`);
    });

    it('mode: verify fails for a bundle signed by another repository than the pinned one', async () => {
      const verify = await runAction({ mode: 'verify', ...pins(), 'github-repository': 'evil/weather-mcp' }, {}, work);
      expect(verify.code).toBe(1);
      expect(verify.outputs.verified).toBe('false');
      expect(verify.outputs['manifest-digest']).toBeUndefined();
      expect(verify.errors[0]).toMatch(/\[VERIFICATION_FAILED\]: mcp-manifest\.sigstore\.json did not verify: \[GITHUB_CLAIM_MISMATCH\] The policy pins github\.repository to "https:\/\/github\.com\/evil\/weather-mcp"/);
      expect(verify.summary).toContain('verification FAILED');
    });

    it('mode: verify fails when the compared manifest drifted, with the diff output', async () => {
      const verify = await runAction({ mode: 'verify', manifest: 'drifted.json', ...pins() }, {}, work);
      expect(verify.code).toBe(1);
      expect(verify.outputs.verified).toBe('false');
      expect(verify.errors).toHaveLength(2);
      expect(verify.errors[0]).toMatch(/^::error file=drifted\.json,line=\d+,title=toolseal%3A tools\/echo changed::tools\/echo differs from the signed manifest at \/description/);
      expect(verify.errors[1]).toContain('[ENTRY_CHANGED]');
      expect(ManifestDiffSchema.parse(JSON.parse(verify.outputs.diff!)).changed[0]!.key).toBe('echo');
      expect(verify.summary).toContain('### Difference from the signed manifest');
    });
  });

  it('keeps hostile server text inert in the summary, the outputs and the log', async () => {
    const script = join(FIXTURES, 'echo-args.mjs');
    const expected = await captureServer({ kind: 'stdio', command: process.execPath, args: [script, 'v1'] });
    await writeFile(file('echo.json'), JSON.stringify(expected));
    const hostile = ['<img src=x onerror=alert(1)>', '@octocat', '</td></tr></table><h1>pwned</h1>', '\n::add-mask::secret'];
    const command = JSON.stringify([process.execPath, script, ...hostile]);
    const check = await runAction({ mode: 'check', command, manifest: 'echo.json' }, {}, work);
    expect(check.code).toBe(1);
    expect(check.summary).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(check.summary).toContain('&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h1&gt;pwned&lt;/h1&gt;');
    expect(check.summary).not.toMatch(/<img|<h1>|<\/table><h1/);
    expect(check.summary).toMatch(/<code>[^<]*@octocat/);
    const diff = ManifestDiffSchema.parse(JSON.parse(check.outputs.diff!));
    expect(JSON.stringify(diff)).toContain('<img src=x onerror=alert(1)>');
    expect(check.stdout).toMatch(/^::stop-commands::toolseal-[0-9a-f-]+$/m);
    expect(check.stdout.split('\n').filter((l) => l.startsWith('::add-mask'))).toEqual([]);
  });

  it('fails at once with the permission to add when the job has no id-token: write', async () => {
    const run = await runAction({ mode: 'sign', command: EVERYTHING, bundle: 'unsigned.sigstore.json', ...instance() }, {}, work);
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      '::error title=toolseal::toolseal error [NO_IDENTITY_TOKEN]: No OIDC token is available in this GitHub Actions job. Add "permissions: id-token: write" to the job (or the workflow) so toolseal can sign keyless; jobs for pull requests from forks never get one.',
    ]);
    await expect(stat(file('unsigned.sigstore.json'))).rejects.toThrow(/ENOENT/);
    expect(run.outputs).toEqual({});
  });

  it('refuses inputs that do not apply to the mode, and a bad mode, naming them', async () => {
    const check = await runAction({ mode: 'check', command: EVERYTHING, manifest: 'mcp-manifest.json', 'fulcio-url': 'https://fulcio.example' }, {}, work);
    expect(check.code).toBe(1);
    expect(check.errors[0]).toContain('[INPUT_INVALID]: The input "fulcio-url" does not apply to mode check');
    const bad = await runAction({ mode: 'attest' }, {}, work);
    expect(bad.errors[0]).toContain('The input "mode" is sign, verify or check, not "attest".');
  });
});
