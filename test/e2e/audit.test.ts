import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, AuditReportSchema, bundleFileName, toSarif, type AuditReport, type ServerAudit } from '../../src/internal.js';
import { sarifValidator } from './sarif.helpers.js';
import {
  manifestFor, serverJson, startBundleHost, startRegistry, startSigningBench, tamperBundle, writeJson,
  type BundleHost, type SigningBench,
} from './audit.helpers.js';

// A generous timeout: under load a slow answer must not count as a hang (and add an attempt).
const FAST_RETRY = { attempts: 3, baseDelayMs: 20, maxDelayMs: 50, timeoutMs: 2000, maxBytes: 1024 * 1024 };

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
  const example = await bench.sign(manifestFor('tools'), 'example-corp/tools');
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
  host.routes.set('/huge.json', { kind: 'ok', body: `{"pad":"${'x'.repeat(1024 * 1024)}"}` });
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
    // The right owner's valid bundle, but signed for io.github.acme/weather's package.
    serverJson('io.github.acme/borrowed', { bundle: at('/good.json') }),
    serverJson('io.github.acme/huge', { bundle: at('/huge.json') }),
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
  'io.github.acme/borrowed': ['mismatch', 'TSA104'],
  'io.github.acme/huge': ['malformed', 'TSA505'],
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
    expect(s.get('io.github.acme/borrowed')!.reason).toMatch(/signed manifest is for server "weather" with artifacts pkg:npm\/%40acme\/weather@1\.0\.0, but this entry is io\.github\.acme\/borrowed/);
    expect(s.get('io.github.acme/huge')!.reason).toMatch(/answered HTTP 200, but the body is over the 1048576-byte limit/);
  });

  it('retries a 500 and succeeds, never retries a 404', () => {
    expect(host.hits.get('/flaky.json')).toBe(2);
    expect(host.hits.get('/missing.json')).toBe(1);
    expect(host.hits.get('/hang.json')).toBe(3);
  });

  it('writes SARIF 2.1.0 that validates against the official schema, problems only unless asked', async () => {
    const validate = await sarifValidator();
    type Log = { runs: { results: { ruleId: string; kind: string; level: string }[] }[] };
    const sarif = toSarif(first) as Log;
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    const failed = first.servers.filter((s) => s.status !== 'verified');
    expect(sarif.runs[0]!.results.map((r) => r.ruleId).sort()).toEqual(failed.map((s) => s.rule.id).sort());
    // Errors first, then warnings, so code scanning's first 5,000 are the most severe.
    const levels = sarif.runs[0]!.results.map((r) => r.level);
    expect(levels).toEqual([...levels].sort((a, b) => (a === b ? 0 : a === 'error' ? -1 : b === 'error' ? 1 : 0)));
    const withPass = toSarif(first, { includePass: true }) as Log;
    expect(validate(withPass), JSON.stringify(validate.errors)).toBe(true);
    expect(withPass.runs[0]!.results.filter((r) => r.kind === 'pass')).toHaveLength(2 + 1);
    // A broken document is refused by the same validator (the check can fail).
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
  });

  it('re-runs from the cache: every verification is a hit, nothing is verified twice', async () => {
    const entries = (await readdir(join(cacheDir, 'v1'))).filter((n) => n.endsWith('.json'));
    expect(first.cache).toMatchObject({ hits: 0, writeErrors: 0 });
    expect(entries.length).toBe(first.cache!.writes);
    const again = await audit({ registry: registry.url, policyFile: policyPath, trustedRoot: bench.trustedRootPath, cacheDir, retry: FAST_RETRY });
    // 8 servers had a bundle to verify under a policy; three share one bundle, so 6 distinct verifications.
    const verifiedBefore = first.servers.filter((s) => s.bundle?.digest && s.rule.id !== 'TSA202').length;
    expect(verifiedBefore).toBe(8);
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
    await writeFile(join(list, 'c.json'), '{"name": "io.github.acme/odd", "version": 1}');
    const report = await audit({ serverJson: [list], bundlesDir: bundles, trustedRoot: bench.trustedRootPath, cacheDir: false });
    expect(report.servers.map((s) => [s.name, s.status, s.rule.id])).toEqual([
      ['io.github.acme/local', 'verified', 'TSA000'],
      ['io.github.acme/nothing', 'unsigned', 'TSA301'],
      ['io.github.acme/odd', 'malformed', 'TSA501'],
    ]);
    expect(report.servers[0]!.bundle!.source).toBe(join(bundles, 'io.github.acme__local.sigstore.json'));
    expect(report.listing).toMatchObject({ files: 3, skippedNotLatest: 0, skippedDeleted: 0 });
    expect(report.cache).toBeUndefined();
    // A file the user named that is not strict JSON is a usage error, not a finding.
    await writeFile(join(list, 'd.json'), '{"name": "io.github.acme/dup", "name": "io.github.acme/dup2", "version": "1"}');
    await expect(audit({ serverJson: [list], cacheDir: false })).rejects.toMatchObject({ code: 'SERVER_JSON_UNREADABLE', message: expect.stringContaining('twice') });
  });
});
