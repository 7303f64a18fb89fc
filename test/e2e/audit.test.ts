import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, AuditReportSchema, bundleFileName, toSarif, type AuditReport, type ServerAudit } from '../../src/index.js';
import {
  manifestFor, serverJson, startBundleHost, startRegistry, startSigningBench, tamperBundle, writeJson,
  type BundleHost, type SigningBench,
} from './audit.helpers.js';

const FAST_RETRY = { attempts: 3, baseDelayMs: 20, maxDelayMs: 50, timeoutMs: 400 };

let bench: SigningBench;
let host: BundleHost;
let registry: Awaited<ReturnType<typeof startRegistry>>;
let policyPath: string;
const servers: Record<string, unknown>[] = [];

beforeAll(async () => {
  bench = await startSigningBench();
  host = await startBundleHost();
  const good = await bench.sign(manifestFor('weather'));
  const wrong = await bench.sign(manifestFor('impostor'), 'mallory/weather-mcp');
  const flaky = await bench.sign(manifestFor('flaky'));
  const example = await bench.sign(manifestFor('example'), 'example-corp/tools');
  const unmapped = await bench.sign(manifestFor('unmapped'), 'someone/else');
  const ok = (body: unknown) => ({ kind: 'ok' as const, body: JSON.stringify(body) });
  host.routes.set('/good.json', ok(good.bundle));
  host.routes.set('/wrong.json', ok(wrong.bundle));
  host.routes.set('/tampered.json', ok(tamperBundle(good.bundle)));
  host.routes.set('/missing.json', { kind: 'status', status: 404 });
  host.routes.set('/flaky.json', { kind: 'flaky', failures: 1, status: 500, body: JSON.stringify(flaky.bundle) });
  host.routes.set('/hang.json', { kind: 'hang' });
  host.routes.set('/example.json', ok(example.bundle));
  host.routes.set('/unmapped.json', ok(unmapped.bundle));
  host.routes.set('/not-a-bundle.json', { kind: 'ok', body: '{"hello": "world"}' });
  const at = (path: string) => `${host.url}${path}`;
  servers.push(
    serverJson('io.github.acme/weather', { bundle: at('/good.json'), manifestDigest: good.digest }),
    serverJson('io.github.acme/impostor', { bundle: at('/wrong.json') }),
    serverJson('io.github.acme/plain'),
    serverJson('io.github.acme/tampered', { bundle: at('/tampered.json') }),
    serverJson('io.github.acme/gone', { bundle: at('/missing.json') }),
    serverJson('io.github.acme/flaky', { bundle: at('/flaky.json') }),
    serverJson('io.github.acme/hangs', { bundle: at('/hang.json') }),
    { name: 'io.github.acme/broken', description: 'no version field' },
    serverJson('io.github.acme/bloated', { bundle: at('/good.json') }, {
      _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { 'dev.toolseal': { bundle: at('/good.json') }, padding: 'x'.repeat(4100) } },
    }),
    serverJson('io.github.acme/pinned-wrong', { bundle: at('/good.json'), manifestDigest: `sha256:${'0'.repeat(64)}` }),
    serverJson('com.example/tools', { bundle: at('/example.json') }),
    serverJson('org.unmapped/thing', { bundle: at('/unmapped.json') }),
    serverJson('io.github.acme/junk', { bundle: at('/not-a-bundle.json') }),
    serverJson('io.github.acme/bad-pointer', { bundle: 'ftp://example.com/x' }),
  );
  registry = await startRegistry(servers, 4);
  policyPath = await writeJson(bench.dir, 'audit-policy.json', {
    version: 1,
    namespaces: [{ pattern: 'com.example/*', identity: { issuer: 'https://token.actions.githubusercontent.com', subjectPattern: 'https://github\\.com/example-corp/tools/\\.github/workflows/release\\.yml@refs/heads/main' } }],
  });
});

afterAll(async () => {
  await Promise.all([host?.close(), registry?.close(), bench?.sigstore.close()]);
});

const EXPECTED: Record<string, [string, string]> = {
  'io.github.acme/weather': ['verified', 'TSA000'],
  'io.github.acme/impostor': ['wrong-signer', 'TSA201'],
  'io.github.acme/plain': ['unsigned', 'TSA301'],
  'io.github.acme/tampered': ['mismatch', 'TSA101'],
  'io.github.acme/gone': ['unreachable', 'TSA401'],
  'io.github.acme/flaky': ['verified', 'TSA000'],
  'io.github.acme/hangs': ['unreachable', 'TSA402'],
  'io.github.acme/broken': ['malformed', 'TSA501'],
  'io.github.acme/bloated': ['malformed', 'TSA502'],
  'io.github.acme/pinned-wrong': ['mismatch', 'TSA102'],
  'com.example/tools': ['verified', 'TSA000'],
  'org.unmapped/thing': ['wrong-signer', 'TSA202'],
  'io.github.acme/junk': ['malformed', 'TSA504'],
  'io.github.acme/bad-pointer': ['malformed', 'TSA503'],
};

function byName(report: AuditReport): Map<string, ServerAudit> {
  return new Map(report.servers.map((s) => [s.name, s]));
}

describe('toolseal audit over a loopback registry in the official API shape', () => {
  let cacheDir: string;
  let first: AuditReport;

  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'toolseal-audit-cache-'));
    first = await audit({ registry: registry.url, policyFile: policyPath, trustedRoot: bench.trustedRootPath, cacheDir, retry: FAST_RETRY, concurrency: 4 });
  });

  it('reads every page by cursor and gives each server exactly one status with its rule', () => {
    expect(registry.pages).toBe(Math.ceil(servers.length / 4));
    expect(first.complete).toBe(true);
    expect(first.servers.map((s) => s.name)).toEqual(servers.map((s) => (s as { name: string }).name));
    const got = Object.fromEntries(first.servers.map((s) => [s.name, [s.status, s.rule.id]]));
    expect(got).toEqual(EXPECTED);
    expect(AuditReportSchema.parse(first)).toEqual(first);
  });

  it('explains each verdict: signer, policy origin, the pinned digest, the reason', () => {
    const s = byName(first);
    expect(s.get('io.github.acme/weather')!.signer).toMatchObject({ kind: 'keyless', subject: 'https://github.com/acme/weather-mcp/.github/workflows/release.yml@refs/heads/main' });
    expect(s.get('io.github.acme/weather')!.policy).toBe('GitHub default for io.github.acme');
    expect(s.get('io.github.acme/impostor')!.reason).toContain('mallory');
    // The log entry and the signature both cover the payload; whichever check runs first refuses it.
    expect(s.get('io.github.acme/tampered')!.code).toMatch(/^(SIGNATURE_INVALID|TLOG_INVALID)$/);
    expect(s.get('io.github.acme/bloated')!.reason).toMatch(/over the registry's 4096-byte limit/);
    expect(s.get('io.github.acme/hangs')!.reason).toMatch(/after 3 attempt/);
    expect(s.get('com.example/tools')!.policy).toContain('namespace "com.example/*"');
    expect(s.get('org.unmapped/thing')!.reason).toContain('"namespaces" entry');
  });

  it('retries a 500 and succeeds, never retries a 404', () => {
    expect(host.hits.get('/flaky.json')).toBe(2);
    expect(host.hits.get('/missing.json')).toBe(1);
    expect(host.hits.get('/hang.json')).toBe(3);
  });

  it('writes SARIF 2.1.0 that validates against the official schema, with the same rule ids', async () => {
    const schema = JSON.parse(await readFile(join(import.meta.dirname, '..', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8'));
    // Both packages are CommonJS with a `default` export; NodeNext sees the module object.
    const Ajv = AjvDraft04.default;
    const addFormats = addFormatsModule.default;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const sarif = toSarif(first) as { runs: { results: { ruleId: string; kind: string }[]; tool: { driver: { rules: { id: string }[] } } }[] };
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(sarif.runs[0]!.results.map((r) => r.ruleId)).toEqual(first.servers.map((s) => s.rule.id));
    expect(sarif.runs[0]!.results.filter((r) => r.kind === 'pass')).toHaveLength(2 + 1);
    // A broken document is refused by the same validator (the check can fail).
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
  });

  it('re-runs from the cache: every verification is a hit, nothing is verified twice', async () => {
    const entries = (await readdir(join(cacheDir, 'v1'))).filter((n) => n.endsWith('.json'));
    expect(first.cache).toMatchObject({ hits: 0, writeErrors: 0 });
    expect(entries.length).toBe(first.cache!.writes);
    const again = await audit({ registry: registry.url, policyFile: policyPath, trustedRoot: bench.trustedRootPath, cacheDir, retry: FAST_RETRY });
    // 7 servers had a bundle to verify under a policy; two share one bundle, so 6 distinct verifications.
    const verifiedBefore = first.servers.filter((s) => s.bundle?.digest && s.rule.id !== 'TSA202').length;
    expect(verifiedBefore).toBe(7);
    expect(first.cache!.writes).toBe(6);
    expect(again.cache).toMatchObject({ hits: 6, misses: 0, writes: 0 });
    expect(Object.fromEntries(again.servers.map((s) => [s.name, [s.status, s.rule.id]]))).toEqual(EXPECTED);
    expect(again.servers.filter((s) => s.cached).length).toBe(verifiedBefore);
  });

  it('treats a corrupt cache entry as a miss and rewrites it', async () => {
    const dir = join(cacheDir, 'v1');
    const [name] = (await readdir(dir)).filter((n) => n.endsWith('.json'));
    await rm(join(dir, name!));
    await mkdir(dir, { recursive: true });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, name!), '{"version":1, "truncated');
    const again = await audit({ registry: registry.url, policyFile: policyPath, trustedRoot: bench.trustedRootPath, cacheDir, retry: FAST_RETRY });
    expect(again.cache).toMatchObject({ misses: 1, writes: 1 });
    expect(JSON.parse(await readFile(join(dir, name!), 'utf8'))).toMatchObject({ version: 1 });
  });
});

describe('toolseal audit over server.json files and a bundles folder', () => {
  it('finds bundles beside the list by name and verifies them offline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolseal-audit-files-'));
    const bundles = join(dir, 'bundles');
    await mkdir(bundles);
    const signed = await bench.sign(manifestFor('local'));
    await writeJson(bundles, bundleFileName('io.github.acme/local'), signed.bundle);
    const list = join(dir, 'servers');
    await mkdir(list);
    await writeJson(list, 'a.json', serverJson('io.github.acme/local'));
    await writeJson(list, 'b.json', serverJson('io.github.acme/nothing'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(list, 'c.json'), '{"name": "io.github.acme/dup", "name": "io.github.acme/dup2", "version": "1"}');
    const report = await audit({ serverJson: [list], bundlesDir: bundles, trustedRoot: bench.trustedRootPath, cacheDir: false });
    expect(report.servers.map((s) => [s.name, s.status, s.rule.id])).toEqual([
      ['io.github.acme/local', 'verified', 'TSA000'],
      ['io.github.acme/nothing', 'unsigned', 'TSA301'],
      [join(list, 'c.json'), 'malformed', 'TSA501'],
    ]);
    expect(report.servers[0]!.bundle!.source).toBe(join(bundles, 'io.github.acme__local.sigstore.json'));
    expect(report.servers[2]!.reason).toContain('twice');
    expect(report.cache).toBeUndefined();
  });
});
