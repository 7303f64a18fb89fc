import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  audit, auditWithReports, AuditReportSchema, buildStatement, createKeySigner, generateKeyPair, signManifest, statementPayload,
  type AuditOptions, type AuditReport, type RegistryEvent,
} from '../../src/internal.js';
import { manifestFor, serverJson, startBundleHost, startSigningBench, tamperBundle, writeJson, type BundleHost, type SigningBench } from './audit.helpers.js';
import { startRegistryFixture, type RegistryFixture, type RegistryFixtureOptions, type RegistryRow } from './registry.helpers.js';
import { sarifValidator } from './sarif.helpers.js';

const RETRY = { attempts: 2, baseDelayMs: 10, maxDelayMs: 20, timeoutMs: 2000 };
let bench: SigningBench;
let host: BundleHost;
const rows: RegistryRow[] = [];
const fixtures: RegistryFixture[] = [];

beforeAll(async () => {
  bench = await startSigningBench();
  host = await startBundleHost();
  for (const name of ['weather', 'legacy']) {
    const { bundle } = await bench.sign(manifestFor(name));
    host.routes.set(`/${name}.json`, { kind: 'ok', body: JSON.stringify(bundle) });
  }
  const at = (path: string) => ({ bundle: `${host.url}${path}` });
  rows.push(
    { server: serverJson('io.github.acme/weather', undefined, { version: '0.9.0' }), isLatest: false },
    { server: serverJson('io.github.acme/weather', at('/weather.json')) },
    { server: serverJson('io.github.acme/legacy', at('/legacy.json')), status: 'deprecated' },
    { server: serverJson('io.github.acme/removed', at('/weather.json')), status: 'deleted' },
    // Bound to another server: io.github.acme/weather's valid bundle, presented by another entry.
    { server: serverJson('io.github.acme/copycat', at('/weather.json')) },
    { server: serverJson('io.github.acme/plain') },
  );
});

afterAll(async () => {
  await Promise.all([...fixtures.map((f) => f.close()), host?.close(), bench?.sigstore.close()]);
});

async function registry(options: RegistryFixtureOptions = {}): Promise<RegistryFixture> {
  const fixture = await startRegistryFixture(rows, { pageSize: 2, ...options });
  fixtures.push(fixture);
  return fixture;
}

function run(options: Partial<AuditOptions>): Promise<AuditReport> {
  return audit({ trustedRoot: bench.trustedRootPath, cacheDir: false, retry: RETRY, ...options });
}

const EXPECTED = [
  ['io.github.acme/weather', '1.0.0', 'verified', 'TSA000'],
  ['io.github.acme/legacy', '1.0.0', 'verified', 'TSA000'],
  ['io.github.acme/copycat', '1.0.0', 'mismatch', 'TSA104'],
  ['io.github.acme/plain', '1.0.0', 'unsigned', 'TSA301'],
];
const verdicts = (r: AuditReport) => r.servers.map((s) => [s.name, s.version, s.status, s.rule.id]);

describe('toolseal audit against a registry as the official API serves it', () => {
  it('prefers /v0.1, asks for version=latest, ends at nextCursor null, skips deleted and reports deprecated', async () => {
    const reg = await registry({ nullCursor: true });
    const report = await run({ registry: reg.url });
    expect(verdicts(report)).toEqual(EXPECTED);
    expect(reg.pages).toEqual({ 'v0.1': 3, v0: 0 });
    expect(reg.queries.every((q) => q.includes('version=latest'))).toBe(true);
    expect(report.listing).toEqual({ api: 'v0.1', url: `${reg.url}/v0.1/servers`, latestQuery: true, pages: 3, skippedNotLatest: 0, skippedDeleted: 1, deprecated: 1 });
    expect(report.servers.find((s) => s.name === 'io.github.acme/legacy')!.registryStatus).toBe('deprecated');
    expect(report.servers.find((s) => s.name === 'io.github.acme/copycat')!.reason).toMatch(/signed manifest is for server "weather"/);
    expect(AuditReportSchema.parse(report)).toEqual(report);
  });

  it('falls back to /v0 (flat entries, snake_case metadata, no version=latest) and filters latest itself', async () => {
    const reg = await registry({ apis: ['v0'], v0Shape: 'flat', metaStyle: 'snake', latestQuery: false });
    const events: RegistryEvent[] = [];
    const report = await run({ registry: reg.url, onRegistryEvent: (e) => events.push(e) });
    expect(verdicts(report)).toEqual(EXPECTED);
    expect(report.listing).toMatchObject({ api: 'v0', latestQuery: false, skippedNotLatest: 1, skippedDeleted: 1, deprecated: 1 });
    expect(events.filter((e) => e.kind === 'fallback').map((e) => (e as { reason: string }).reason)).toEqual([
      expect.stringContaining('HTTP 404'),
      expect.stringContaining('HTTP 400'),
    ]);
    expect(events.filter((e) => e.kind === 'page').map((e) => (e as { total: number }).total)).toEqual([1, 2, 4]);
  });

  it('takes a base URL ending in /v0.1 or /v0 as the API to use, with no fallback', async () => {
    const both = await registry({ basePath: '/mirror' });
    const v0 = await run({ registry: `${both.url}/v0/` });
    expect(v0.listing).toMatchObject({ api: 'v0', url: `${both.url}/v0/servers` });
    expect(both.pages['v0.1']).toBe(0);
    const v01 = await run({ registry: `${both.url}/v0.1` });
    expect(verdicts(v01)).toEqual(EXPECTED);
    const onlyV0 = await registry({ apis: ['v0'] });
    await expect(run({ registry: `${onlyV0.url}/v0.1` })).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE', message: expect.stringContaining('HTTP 404') });
  });

  it('audits pages saved from the API with --server-json exactly as the registry itself', async () => {
    const reg = await registry({ apis: ['v0'], pageSize: 100 });
    const page = await (await fetch(`${reg.url}/v0/servers?limit=100`)).text();
    const dir = await mkdtemp(join(tmpdir(), 'toolseal-audit-saved-'));
    await writeFile(join(dir, 'page.json'), page);
    const report = await run({ serverJson: [join(dir, 'page.json')] });
    expect(verdicts(report)).toEqual(EXPECTED);
    expect(report.listing).toMatchObject({ files: 1, skippedNotLatest: 1, skippedDeleted: 1, deprecated: 1 });
  });
});

describe('verdicts on key-signed bundles', () => {
  it('a tampered payload is "signature does not verify", a statement naming another server its own reason', async () => {
    const { privateKeyPem, publicKeyPem } = generateKeyPair();
    const signer = createKeySigner({ privateKeyPem });
    const good = await signManifest(manifestFor('keyed'), signer);
    // A valid signature over a statement whose subject names another server than its manifest.
    const statement = buildStatement(manifestFor('keyed'));
    const lying = await signer.signStatement(statementPayload({ ...statement, subject: [{ ...statement.subject[0]!, name: 'io.github.acme/other' }, ...statement.subject.slice(1)] }));
    host.routes.set('/keyed.json', { kind: 'ok', body: JSON.stringify(good.bundle) });
    host.routes.set('/keyed-tampered.json', { kind: 'ok', body: JSON.stringify(tamperBundle(good.bundle)) });
    host.routes.set('/keyed-lying.json', { kind: 'ok', body: JSON.stringify(lying) });
    const dir = await mkdtemp(join(tmpdir(), 'toolseal-audit-keys-'));
    const policyFile = await writeJson(dir, 'policy.json', { version: 1, namespaces: [{ pattern: 'com.acme/*', identity: { keys: [publicKeyPem] } }] });
    const reg = await startRegistryFixture(['keyed', 'keyed-tampered', 'keyed-lying'].map((path) => ({
      server: { ...serverJson(`com.acme/${path}`, { bundle: `${host.url}/${path}.json` }), packages: [{ registryType: 'npm', identifier: '@acme/keyed', version: '1.0.0' }] },
    })));
    fixtures.push(reg);
    const report = await run({ registry: reg.url, policyFile });
    expect(report.servers.map((s) => [s.name, s.rule.id, s.code ?? ''])).toEqual([
      ['com.acme/keyed', 'TSA000', ''],
      ['com.acme/keyed-tampered', 'TSA101', 'KEY_SIGNATURE_INVALID'],
      ['com.acme/keyed-lying', 'TSA105', 'STATEMENT_SUBJECT_MISMATCH'],
    ]);
  });
});

describe('SARIF for code scanning', () => {
  type Result = { ruleId: string; kind: string; partialFingerprints: Record<string, string>; locations: { physicalLocation: unknown }[] };
  type Log = { runs: { results: Result[]; originalUriBaseIds: Record<string, { uri: string }> }[] };

  async function sarifOf(url: string, includePass = false): Promise<{ log: Log; stdout: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'toolseal-audit-sarif-'));
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (d: Buffer) => { text += d.toString(); });
    await auditWithReports({ registry: url, trustedRoot: bench.trustedRootPath, cacheDir: false, retry: RETRY }, { stdout, json: true, sarif: { path: join(dir, 'out.sarif'), includePass }, markdown: join(dir, 'out.md') });
    return { log: JSON.parse(await readFile(join(dir, 'out.sarif'), 'utf8')) as Log, stdout: text };
  }

  it('validates, gives each server a stable file-like location, and keeps it when another server is added', async () => {
    const validate = await sarifValidator();
    const reg = await registry();
    const before = await sarifOf(reg.url, true);
    expect(validate(before.log), JSON.stringify(validate.errors)).toBe(true);
    expect(AuditReportSchema.parse(JSON.parse(before.stdout)).servers).toHaveLength(4);
    const run0 = before.log.runs[0]!;
    expect(run0.originalUriBaseIds.MCP_REGISTRY!.uri).toBe(`${reg.url}/`);
    const copycat = run0.results.find((r) => r.ruleId === 'TSA104')!;
    expect(copycat.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'io.github.acme/copycat/server.json', uriBaseId: 'MCP_REGISTRY' }, region: { startLine: 1 } });
    // One server added at the front moves every page, cursor and index, and no location.
    reg.rows.unshift({ server: serverJson('io.github.acme/aardvark') });
    const after = await sarifOf(reg.url, true);
    expect(validate(after.log), JSON.stringify(validate.errors)).toBe(true);
    const where = (log: Log) => new Map(log.runs[0]!.results.map((r) => [r.partialFingerprints['toolsealServer/v1'], JSON.stringify(r.locations)]));
    const was = where(before.log);
    const now = where(after.log);
    expect(now.size).toBe(was.size + 1);
    for (const [fingerprint, location] of was) expect(now.get(fingerprint)).toBe(location);
    reg.rows.shift();
  });

  it('leaves verified servers out by default', async () => {
    const reg = await registry();
    const { log } = await sarifOf(reg.url);
    expect(log.runs[0]!.results.map((r) => [r.ruleId, r.kind])).toEqual([['TSA104', 'fail'], ['TSA301', 'fail']]);
  });
});
