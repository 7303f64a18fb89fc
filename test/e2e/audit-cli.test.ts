import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditReportSchema } from '../../src/index.js';
import {
  manifestFor, serverJson, startBundleHost, startRegistry, startSigningBench, type BundleHost, type SigningBench,
} from './audit.helpers.js';
import { startRegistryFixture, type RegistryFixture } from './registry.helpers.js';
import { runCli, type CliOptions, type CliRun } from '../helpers/cli.js';

/** Runs the built CLI with TOOLSEAL_CACHE_DIR at an unused folder; `onStderr` may act on progress lines (e.g. send SIGINT). */
function audit(args: string[], onStderr?: CliOptions['onStderr']): Promise<CliRun> {
  return runCli(args, { env: { ...process.env, TOOLSEAL_CACHE_DIR: join(tmpdir(), 'toolseal-audit-unused') }, ...(onStderr ? { onStderr } : {}) });
}

const SERVERS = 10;
let bench: SigningBench;
let host: BundleHost;
let registry: Awaited<ReturnType<typeof startRegistry>>;
let mixed: Awaited<ReturnType<typeof startRegistry>>;
let slow: RegistryFixture;

beforeAll(async () => {
  bench = await startSigningBench();
  host = await startBundleHost();
  const list: unknown[] = [];
  for (let i = 0; i < SERVERS; i++) {
    const { bundle } = await bench.sign(manifestFor(`s${i}`));
    host.routes.set(`/s${i}.json`, { kind: 'ok', body: JSON.stringify(bundle), delayMs: 0 });
    list.push(serverJson(`io.github.acme/s${i}`, { bundle: `${host.url}/s${i}.json` }));
  }
  registry = await startRegistry(list, 4);
  mixed = await startRegistry([list[0], serverJson('io.github.acme/unsigned'), { name: 'io.github.acme/broken' }], 10);
  slow = await startRegistryFixture(list.slice(0, 4).map((server) => ({ server: server as Record<string, unknown> })), { pageSize: 2, delayMs: (start) => (start === 2 ? 60_000 : 0) });
});

afterAll(async () => {
  await Promise.all([host?.close(), registry?.close(), mixed?.close(), slow?.close(), bench?.sigstore.close()]);
});

describe('toolseal audit (built CLI)', () => {
  it('exits 0 when every server verified, and writes JSON, SARIF and Markdown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolseal-audit-cli-'));
    const run = await audit(['audit', '--registry', registry.url, '--trusted-root', bench.trustedRootPath, '--cache-dir', join(dir, 'cache'),
      '--json', '--sarif', join(dir, 'out.sarif'), '--markdown', join(dir, 'out.md')]);
    expect(run.stderr).toContain(`[${SERVERS}/${SERVERS}] verified`);
    expect(run.stderr).toContain(`toolseal: page 1 read from ${registry.url}/v0.1/servers: 4 server(s) to audit, 4 so far`);
    // "+" while more pages are to come; a fast registry may be all read before the first result.
    expect(run.stderr).toMatch(/\[1\/\d+\+?\] verified io\.github\.acme\/s0/);
    expect(run.code).toBe(0);
    const report = AuditReportSchema.parse(JSON.parse(run.stdout));
    expect(report.summary.verified).toBe(SERVERS);
    const sarif = JSON.parse(await readFile(join(dir, 'out.sarif'), 'utf8')) as { version: string; runs: { results: unknown[] }[] };
    expect(sarif.version).toBe('2.1.0');
    // Verified servers are not code-scanning alerts unless --sarif-pass.
    expect(sarif.runs[0]!.results).toHaveLength(0);
    expect(await readFile(join(dir, 'out.md'), 'utf8')).toContain('## Verified');
  });

  it('exits 1 and prints a table when any server is not verified, a malformed registry entry included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolseal-audit-cli-'));
    const run = await audit(['audit', '--registry', mixed.url, '--trusted-root', bench.trustedRootPath, '--no-cache', '--sarif', join(dir, 'out.sarif'), '--sarif-pass']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^STATUS\s+RULE\s+SERVER/m);
    expect(run.stdout).toMatch(/unsigned\s+TSA301\s+io\.github\.acme\/unsigned@1\.0\.0/);
    expect(run.stdout).toMatch(/malformed\s+TSA501\s+io\.github\.acme\/broken/);
    expect(run.stdout).toContain('3 server(s): 1 verified, 1 unsigned, 1 malformed');
    expect(run.stdout).toContain(`read ${mixed.url}/v0.1/servers (API v0.1, 1 page(s), version=latest)`);
    const sarif = JSON.parse(await readFile(join(dir, 'out.sarif'), 'utf8')) as { runs: { results: { kind: string; level: string }[] }[] };
    expect(sarif.runs[0]!.results.map((r) => [r.kind, r.level])).toEqual([['fail', 'error'], ['fail', 'warning'], ['pass', 'none']]);
  });

  it('says which page it waits for, and how long, while a page hangs', async () => {
    const started = Date.now();
    const run = await audit(['audit', '--registry', slow.url, '--trusted-root', bench.trustedRootPath, '--no-cache', '--timeout', '1500', '--retries', '1', '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`toolseal: page 1 read from ${slow.url}/v0.1/servers: 2 server(s) to audit, 2 so far`);
    expect(run.stderr).toMatch(/toolseal: still waiting for page 2 from http:\/\/127\.0\.0\.1:\d+\/v0\.1\/servers \([\d.]+ s; each attempt gives up after 1.5 s\)/);
    expect(run.stderr).toMatch(/page 2: no answer within 1500 ms; retrying in \d\.\d s \(attempt 2 of 2\)/);
    expect(run.stderr).toContain('REGISTRY_UNREACHABLE');
    // A run that fails prints no half report.
    expect(run.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it.each([
    [['audit'], 'AUDIT_SOURCE_REQUIRED'],
    [['audit', '--registry', 'http://127.0.0.1:9', '--server-json', 'x.json'], 'AUDIT_SOURCE_REQUIRED'],
    [['audit', '--registry', 'http://127.0.0.1:9', '--retries', '0', '--timeout', '500'], 'REGISTRY_UNREACHABLE'],
    [['audit', '--server-json', '/nonexistent/servers'], 'SERVER_JSON_PATH_MISSING'],
    [['audit', '--server-json', join(import.meta.dirname, '..', 'fixtures', 'sarif', 'README.md')], 'SERVER_JSON_UNREADABLE'],
    [['audit', '--registry', 'http://127.0.0.1:9', '--sarif', '/nonexistent/dir/out.sarif'], 'FILE_UNWRITABLE'],
    [['audit', '--registry', 'http://127.0.0.1:9', '--concurrency', '0'], '--concurrency must be a whole number'],
  ])('exits 2 when the audit cannot run: %j', async (args, message) => {
    const run = await audit(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('Ctrl-C leaves only complete cache entries, and a re-run finishes with only the rest to do', async () => {
    for (let i = 0; i < SERVERS; i++) host.routes.set(`/s${i}.json`, { ...(host.routes.get(`/s${i}.json`) as { kind: 'ok'; body: string }), delayMs: 400 });
    const cacheDir = await mkdtemp(join(tmpdir(), 'toolseal-audit-sigint-'));
    const args = ['audit', '--registry', registry.url, '--trusted-root', bench.trustedRootPath, '--cache-dir', cacheDir, '--concurrency', '2', '--json'];
    let sent = false;
    const interrupted = await audit(args, (stderr, kill) => {
      if (!sent && /\[3\/\d+\+?\]/.test(stderr)) {
        sent = true;
        kill('SIGINT');
      }
    });
    expect(sent).toBe(true);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('interrupted');
    const partial = AuditReportSchema.parse(JSON.parse(interrupted.stdout));
    expect(partial.complete).toBe(false);
    expect(partial.servers.length).toBeGreaterThanOrEqual(3);
    expect(partial.servers.length).toBeLessThan(SERVERS);
    const files = await readdir(join(cacheDir, 'v1'));
    expect(files.filter((f) => !f.endsWith('.json'))).toEqual([]);
    for (const f of files) expect(JSON.parse(await readFile(join(cacheDir, 'v1', f), 'utf8'))).toMatchObject({ version: 1, outcome: { ok: true } });
    expect(files.length).toBeGreaterThanOrEqual(partial.servers.length);

    const resumed = await audit(args);
    expect(resumed.code).toBe(0);
    const report = AuditReportSchema.parse(JSON.parse(resumed.stdout));
    expect(report.complete).toBe(true);
    expect(report.cache).toMatchObject({ hits: files.length, misses: SERVERS - files.length, writes: SERVERS - files.length });
    expect((await readdir(join(cacheDir, 'v1'))).length).toBe(SERVERS);
  });
});
