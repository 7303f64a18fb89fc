/**
 * `toolseal audit` of a registry of N servers (default 1,000; N=n to change), every one
 * with its own bundle, all on loopback: a registry in the official /v0/servers shape
 * (100 per page) and a bundle host, bundles signed beforehand by a local Sigstore.
 *
 *   cold:     empty cache: fetch + verify every bundle, write every cache entry
 *   warm:     the same cache again: fetch every bundle, verify none (all hits)
 *   no-cache: --no-cache: fetch + verify every bundle, write nothing
 *
 * Each run is a separate child process, so its peak RSS (process.resourceUsage().maxRSS)
 * is its own; the peak V8 heap is sampled every 20 ms.
 * Run: npx tsx bench/audit.bench.ts   (prints a Markdown table and the machine)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { audit } from '../src/index.js';
import { manifestFor, serverJson, startBundleHost, startRegistry, startSigningBench } from '../test/e2e/audit.helpers.js';

interface Measured { ms: number; maxRssMiB: number; peakHeapMiB: number; verified: number; hits: number; misses: number }

/** Child: one audit, measured, printed as JSON on stdout. */
async function child(registry: string, trustedRoot: string, cacheDir: string): Promise<void> {
  let peakHeap = 0;
  const sampler = setInterval(() => { peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed); }, 20);
  const start = performance.now();
  const report = await audit({ registry, trustedRoot, cacheDir: cacheDir === '-' ? false : cacheDir, concurrency: 8 });
  const ms = performance.now() - start;
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const out: Measured = {
    ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, peakHeapMiB: peakHeap / 2 ** 20,
    verified: report.summary.verified, hits: report.cache?.hits ?? 0, misses: report.cache?.misses ?? 0,
  };
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

async function main(): Promise<void> {
  const n = Number(process.env.N ?? 1000);
  const bench = await startSigningBench();
  const host = await startBundleHost();
  const list: unknown[] = [];
  const signStart = performance.now();
  for (let i = 0; i < n; i++) {
    const { bundle } = await bench.sign(manifestFor(`server-${i}`));
    host.routes.set(`/b/${i}.json`, { kind: 'ok', body: JSON.stringify(bundle) });
    list.push(serverJson(`io.github.acme/server-${i}`, { bundle: `${host.url}/b/${i}.json` }));
  }
  const signMs = performance.now() - signStart;
  const registry = await startRegistry(list, 100);
  const cacheDir = await mkdtemp(join(tmpdir(), 'toolseal-audit-bench-'));
  try {
    const rows: [string, Measured][] = [];
    rows.push(['cold cache', await runChild([registry.url, bench.trustedRootPath, cacheDir])]);
    rows.push(['warm cache', await runChild([registry.url, bench.trustedRootPath, cacheDir])]);
    rows.push(['--no-cache', await runChild([registry.url, bench.trustedRootPath, '-'])]);
    console.log(`| run | servers | verified | cache hits | total s | per server ms | peak RSS MiB | peak heap MiB |`);
    console.log(`|---|---:|---:|---:|---:|---:|---:|---:|`);
    for (const [name, m] of rows) {
      console.log(`| ${name} | ${n} | ${m.verified} | ${m.hits} | ${(m.ms / 1000).toFixed(2)} | ${(m.ms / n).toFixed(2)} | ${m.maxRssMiB.toFixed(0)} | ${m.peakHeapMiB.toFixed(0)} |`);
    }
    console.log(`\n(setup: signing ${n} bundles with the local Sigstore took ${(signMs / 1000).toFixed(1)} s; not part of the audit times)`);
    console.log(`Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} CPUs, Node ${process.version}, ${process.platform}/${process.arch}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await Promise.all([host.close(), registry.close(), bench.sigstore.close(), rm(cacheDir, { recursive: true, force: true })]);
  }
}

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4]!, process.argv[5]!);
else await main();
