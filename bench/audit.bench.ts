/**
 * `toolseal audit` of registries of N servers (default N=1000,10000), every one with its own
 * bundle, all on loopback: our registry fixture (v0.1 API, 100 per page) and a bundle host,
 * bundles signed beforehand by a local Sigstore. Each audit runs as the CLI runs it
 * (`auditWithReports`: JSON report, SARIF and Markdown written as it goes) in a child process
 * of its own, so its peak RSS (`process.resourceUsage().maxRSS`) is its own.
 *
 *   cold: empty cache: fetch + verify every bundle, write every cache entry
 *   warm: the same cache again: fetch every bundle, verify none (all hits)
 *
 * SIGNER=keyless (default): GitHub Actions-style keyless bundles (Fulcio certificate, Rekor entry,
 * TSA timestamp) from the local Sigstore. SIGNER=key: ECDSA P-256 key bundles and a policy naming
 * the key, whose signing is fast enough to set up 10,000 servers on a loaded machine.
 *
 * Run: npx tsx bench/audit.bench.ts         (N=50 for a quick look; RUNS=cold to skip warm;
 *      HEAP=cli,default to compare the CLI's heap setting with V8's default in the same run)
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { auditWithReports, createKeySigner, generateKeyPair, limitHeapGrowthForAudit, signManifest } from '../src/internal.js';
import { manifestFor, serverJson, startBundleHost, startSigningBench, writeJson } from '../test/e2e/audit.helpers.js';
import { startRegistryFixture } from '../test/e2e/registry.helpers.js';

interface Measured { ms: number; maxRssMiB: number; peakHeapMiB: number; verified: number; hits: number }

/** Child: one audit with every report written to `outDir`, measured, printed as JSON on stdout. */
async function child(registry: string, trustedRoot: string, cacheDir: string, outDir: string, policyFile: string, heap: string): Promise<void> {
  if (heap === 'cli') limitHeapGrowthForAudit();
  let peakHeap = 0;
  const sampler = setInterval(() => { peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed); }, 20);
  const stdout = createWriteStream(join(outDir, 'report.json'));
  const start = performance.now();
  const { run } = await auditWithReports(
    { registry, trustedRoot, cacheDir, concurrency: 8, ...(policyFile !== '-' ? { policyFile } : {}) },
    { stdout, json: true, sarif: { path: join(outDir, 'audit.sarif'), includePass: true }, markdown: join(outDir, 'audit.md') },
  );
  const ms = performance.now() - start;
  clearInterval(sampler);
  stdout.end();
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const out: Measured = { ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, peakHeapMiB: peakHeap / 2 ** 20, verified: run.summary.verified, hits: run.cache?.hits ?? 0 };
  process.stdout.write(JSON.stringify(out));
}

function runChild(args: string[]): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'child', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Measured) : reject(new Error(`child exited ${code}`))));
  });
}

type Sign = (manifest: ReturnType<typeof manifestFor>) => Promise<{ bundle: unknown }>;

/** How bundles are signed, and the audit policy file that accepts them ('-': the GitHub default). */
async function signerFor(kind: string, bench: Awaited<ReturnType<typeof startSigningBench>>): Promise<{ sign: Sign; policyFile: string }> {
  if (kind !== 'key') return { sign: (m) => bench.sign(m), policyFile: '-' };
  const { privateKeyPem, publicKeyPem } = generateKeyPair();
  const signer = createKeySigner({ privateKeyPem });
  const policyFile = await writeJson(bench.dir, 'bench-policy.json', { version: 1, namespaces: [{ pattern: 'io.github.acme/*', identity: { keys: [publicKeyPem] } }] });
  return { sign: (m) => signManifest(m, signer), policyFile };
}

/** Signs N bundles and serves them: returns the registry URL and a way to stop everything. */
async function setUp(n: number, sign: Sign) {
  const host = await startBundleHost();
  const rows = [];
  const signStart = performance.now();
  for (let i = 0; i < n; i++) {
    const { bundle } = await sign(manifestFor(`server-${i}`));
    host.routes.set(`/b/${i}.json`, { kind: 'ok', body: JSON.stringify(bundle) });
    rows.push({ server: serverJson(`io.github.acme/server-${i}`, { bundle: `${host.url}/b/${i}.json` }) });
  }
  const signMs = performance.now() - signStart;
  const registry = await startRegistryFixture(rows, { pageSize: 100 });
  return { registry, signMs, close: () => Promise.all([host.close(), registry.close()]) };
}

async function main(): Promise<void> {
  const sizes = (process.env.N ?? '1000,10000').split(',').map(Number);
  const runs = (process.env.RUNS ?? 'cold,warm').split(',');
  // cli: the audit as `toolseal audit` runs it (limitHeapGrowthForAudit); default: V8's own growth, for comparison.
  const heaps = (process.env.HEAP ?? 'cli').split(',');
  const bench = await startSigningBench();
  const kind = process.env.SIGNER ?? 'keyless';
  const { sign, policyFile } = await signerFor(kind, bench);
  const rows: string[] = [];
  const setup: string[] = [];
  try {
    for (const n of sizes) {
      const env = await setUp(n, sign);
      setup.push(`signing ${n} bundles took ${(env.signMs / 1000).toFixed(1)} s`);
      const cacheDir = await mkdtemp(join(tmpdir(), 'toolseal-audit-bench-'));
      const outDir = await mkdtemp(join(tmpdir(), 'toolseal-audit-bench-out-'));
      try {
        for (const [name, heap] of runs.flatMap((r) => heaps.map((h) => [r, h] as const))) {
          if (name === 'cold') await rm(cacheDir, { recursive: true, force: true });
          const m = await runChild([env.registry.url, bench.trustedRootPath, cacheDir, outDir, policyFile, heap]);
          rows.push(`| ${kind}, ${name} cache, ${heap === 'cli' ? 'heap as the CLI sets it' : "V8's default heap growth"} | ${n} | ${m.verified} | ${m.hits} | ${(m.ms / 1000).toFixed(2)} | ${(m.ms / n).toFixed(2)} | ${m.maxRssMiB.toFixed(0)} | ${m.peakHeapMiB.toFixed(0)} |`);
        }
      } finally {
        await Promise.all([env.close(), rm(cacheDir, { recursive: true, force: true }), rm(outDir, { recursive: true, force: true })]);
      }
    }
  } finally {
    await bench.sigstore.close();
  }
  console.log('| run | servers | verified | cache hits | total s | per server ms | peak RSS MiB | peak heap MiB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
  console.log(`\n(setup, not part of the audit times: ${setup.join('; ')})`);
  console.log(`Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} CPUs, Node ${process.version}, ${process.platform}/${process.arch}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4]!, process.argv[5]!, process.argv[6]!, process.argv[7]!, process.argv[8]!);
else await main();
