/**
 * `toolseal scan` of 20 configured servers against capturing the same 20 one after another.
 *
 * The configuration is a Claude Code `.mcp.json` with 20 stdio servers: 4 server-everything,
 * 4 server-filesystem (real npm servers) and 12 of the project's fixtures (launch-probe,
 * echo-args, paginated, guard-probe with different arguments), written to a temporary folder.
 *
 *   scan:        scanServers over all 20 (launch as the client would, capture, compare with a lock
 *                of 10 approvals, cross-server findings), CONCURRENCY at a time (default 4)
 *   sequential:  launchTarget + captureServer of each, one after another (what a loop over
 *                `toolseal capture` would do, minus 20 CLI start-ups)
 *   peak RSS:    the highest resident set size of the toolseal process doing the work: each run
 *                is a fresh child process (so one contender's heap is not counted in the other's),
 *                reporting process.resourceUsage().maxRSS; the servers' own memory is not counted
 *
 * Median of RUNS runs (default 3), scan and sequential alternating. Default run about 1 minute.
 * Run: npx tsx bench/scan.bench.ts
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  approveServers, captureServer, createKeySigner, findConfiguredServers, generateKeyPair, launchTarget, readLockFile, scanServers,
  writeLockFile, type ConfiguredServer,
} from '../src/internal.js';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env.RUNS ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);
const node = process.execPath;
const fixture = (name: string): string => join(ROOT, 'test', 'fixtures', 'servers', name);

function servers(dir: string): Record<string, { command: string; args: string[]; env?: Record<string, string> }> {
  const out: Record<string, { command: string; args: string[]; env?: Record<string, string> }> = {};
  for (let i = 0; i < 4; i++) out[`everything-${i}`] = { command: node, args: [join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'] };
  for (let i = 0; i < 4; i++) out[`files-${i}`] = { command: node, args: [join(ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js'), dir] };
  for (let i = 0; i < 3; i++) out[`probe-${i}`] = { command: node, args: [fixture('launch-probe.mjs'), `--n=${i}`], env: { FIXTURE_SERVER_NAME: `probe-${i}` } };
  for (let i = 0; i < 3; i++) out[`echo-${i}`] = { command: node, args: [fixture('echo-args.mjs'), `--n=${i}`] };
  for (let i = 0; i < 3; i++) out[`paginated-${i}`] = { command: node, args: [fixture('paginated.mjs')] };
  for (let i = 0; i < 3; i++) out[`guard-${i}`] = { command: node, args: [fixture('guard-probe.mjs')] };
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

interface Measured { ms: number; maxRssMiB: number }

/** A child process: one contender's run over the configuration (and lock) in `dir`, printed as JSON. */
async function child(who: string, dir: string): Promise<void> {
  const { servers: found } = await findConfiguredServers({ configs: [{ client: 'claude-code', path: join(dir, '.mcp.json'), scope: 'project', workspace: dir }] });
  const lock = (await readLockFile(join(dir, 'toolseal.lock.json')))!;
  const t0 = performance.now();
  if (who === 'scan') {
    const report = await scanServers(found, { lock, concurrency: CONCURRENCY });
    const failed = report.servers.filter((s) => s.status === 'capture-failed');
    if (failed.length > 0) throw new Error(`scan could not capture ${failed.map((f) => `${f.name}: ${f.error?.message}`).join('; ')}`);
  } else {
    for (const s of found) await captureServer(await launchTarget(s));
  }
  const out: Measured = { ms: performance.now() - t0, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(JSON.stringify(out));
}

function runChild(who: string, dir: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'child', who, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Measured) : reject(new Error(`${who} child exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'toolseal-scan-bench-'));
  const config = join(dir, '.mcp.json');
  await writeFile(config, JSON.stringify({ mcpServers: servers(dir) }, null, 2));
  const { servers: found } = await findConfiguredServers({ configs: [{ client: 'claude-code', path: config, scope: 'project', workspace: dir }] });
  if (found.length !== 20) throw new Error(`expected 20 servers, found ${found.length}`);
  // A lock approving half of them, so scan also verifies 10 approvals and compares.
  const signer = createKeySigner({ privateKeyPem: generateKeyPair().privateKeyPem });
  const first = await scanServers(found.slice(0, 10), { concurrency: CONCURRENCY });
  await writeLockFile(join(dir, 'toolseal.lock.json'), (await approveServers(first.servers, found.slice(0, 10), { signer })).lock);

  const runs: Record<'scan' | 'seq', Measured[]> = { scan: [], seq: [] };
  for (let r = 0; r < RUNS; r++) {
    // Alternating, so load on the machine hits both alike.
    for (const who of (r % 2 === 0 ? ['scan', 'seq'] : ['seq', 'scan']) as ('scan' | 'seq')[]) runs[who].push(await runChild(who, dir));
  }
  const scanMs = median(runs.scan.map((m) => m.ms));
  const seqMs = median(runs.seq.map((m) => m.ms));
  const peak = (who: 'scan' | 'seq'): string => Math.max(...runs[who].map((m) => m.maxRssMiB)).toFixed(1);
  console.log(`| work | servers | runs | median ms | peak RSS MiB (max of runs) |`);
  console.log(`|---|---:|---:|---:|---:|`);
  console.log(`| scan (concurrency ${CONCURRENCY}, 10 approvals verified) | 20 | ${RUNS} | ${scanMs.toFixed(0)} | ${peak('scan')} |`);
  console.log(`| capture one after another | 20 | ${RUNS} | ${seqMs.toFixed(0)} | ${peak('seq')} |`);
  console.log(`| → scan / sequential | | | ${(scanMs / seqMs).toFixed(2)} | |`);
  console.log(`\nmachine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}, ${process.platform}/${process.arch}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4]!);
else await main();
