/**
 * What the guard costs, against a direct connection to the same server in the same run.
 *
 *   per call:    sequential `tools/call` round trips (p50, p99) and throughput with 32 calls
 *                in flight, to the guard-probe fixture over stdio, three ways:
 *                  direct   SDK Client → stdio → server
 *                  guard    SDK Client → GuardedTransport (in-process core) → stdio → server
 *                  proxy    SDK Client → stdio → `toolseal proxy` process → stdio → server
 *                Rounds alternate the contenders so machine load hits them alike.
 *   connect:     connect + one full `tools/list` for servers of 10, 100 and 1,000 tools
 *                (paginated fixture, 100 per page), direct (client pages through) vs guarded
 *                (the guard reads every page, verifies, then re-reads at the client's list).
 *   decide:      `liveManifest` + `decideLists` alone (CPU), same sizes.
 *
 * Run: npx tsx bench/proxy.bench.ts   (after `npm run build`; prints Markdown and the machine)
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { captureServer, createGuardedTransport, decideLists, liveManifest, manifestDigest, type GuardAttestation, type Manifest } from '../src/internal.js';
import { identityFlags, signTarget, startSigningBench } from '../test/e2e/proxy.helpers.js';

const ROOT = join(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'servers');
const CALLS = Number(process.env.CALLS ?? 2000);
const ROUNDS = 4;
const env = (extra: Record<string, string> = {}): Record<string, string> =>
  ({ ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)), ...extra });

type Contender = 'direct' | 'guard' | 'proxy';
interface Sample { latencies: number[]; throughput: number[] }

async function client(transport: Transport): Promise<Client> {
  const c = new Client({ name: 'bench', version: '1.0.0' }, { capabilities: {} });
  await c.connect(transport);
  return c;
}

function probeTransport(): StdioClientTransport {
  return new StdioClientTransport({ command: process.execPath, args: [join(FIXTURES, 'guard-probe.mjs')], env: env(), stderr: 'ignore' });
}

async function perCall(c: Client, n: number, sample: Sample): Promise<void> {
  for (let i = 0; i < 200; i++) await c.callTool({ name: 'echo', arguments: { text: 'warm' } });
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await c.callTool({ name: 'echo', arguments: { text: `c${i}` } });
    sample.latencies.push(performance.now() - t);
  }
  const total = n * 2;
  let next = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < total) {
      next++;
      await c.callTool({ name: 'echo', arguments: { text: 'tp' } });
    }
  }));
  sample.throughput.push(total / ((performance.now() - t) / 1000));
}

async function callBench(attestation: GuardAttestation, proxyArgs: string[]): Promise<Record<Contender, Sample>> {
  const samples: Record<Contender, Sample> = { direct: { latencies: [], throughput: [] }, guard: { latencies: [], throughput: [] }, proxy: { latencies: [], throughput: [] } };
  const open: Record<Contender, () => Promise<Client>> = {
    direct: () => client(probeTransport()),
    guard: () => client(createGuardedTransport(probeTransport(), { attestation })),
    proxy: () => client(new StdioClientTransport({
      command: process.execPath, args: [join(ROOT, 'dist', 'cli', 'main.js'), 'proxy', ...proxyArgs, '--', process.execPath, join(FIXTURES, 'guard-probe.mjs')], env: env(), stderr: 'ignore',
    })),
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const who of (round % 2 === 0 ? ['direct', 'guard', 'proxy'] : ['proxy', 'guard', 'direct']) as Contender[]) {
      const c = await open[who]();
      await perCall(c, CALLS / ROUNDS, samples[who]);
      await c.close();
    }
  }
  return samples;
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const median = (values: number[]): number => pct(values, 50);

async function connectBench(n: number): Promise<{ direct: number; guarded: number }> {
  const target = { kind: 'stdio' as const, command: process.execPath, args: [join(FIXTURES, 'paginated.mjs')], env: env({ FIXTURE_PAGE_SIZE: '100', FIXTURE_PAGES: String(Math.max(1, n / 100)) }) };
  const small: Record<string, string> = n < 100 ? { FIXTURE_PAGE_SIZE: String(n), FIXTURE_PAGES: '1' } : {};
  target.env = { ...target.env, ...small };
  const manifest = await captureServer(target);
  const attestation = { manifest, digest: manifestDigest(manifest) };
  const transport = (): StdioClientTransport => new StdioClientTransport({ command: target.command, args: target.args, env: target.env, stderr: 'ignore' });
  const times = { direct: [] as number[], guarded: [] as number[] };
  for (let i = 0; i < 6; i++) {
    for (const who of (i % 2 === 0 ? ['direct', 'guarded'] : ['guarded', 'direct']) as ('direct' | 'guarded')[]) {
      const t = performance.now();
      const c = await client(who === 'direct' ? transport() : createGuardedTransport(transport(), { attestation, settings: { enforce: 'block' } }));
      let cursor: string | undefined;
      let count = 0;
      do {
        const page = await c.listTools(cursor ? { cursor } : undefined);
        count += page.tools.length;
        cursor = page.nextCursor;
      } while (cursor);
      const ms = performance.now() - t;
      if (count !== manifest.tools.length) throw new Error(`${who} saw ${count} of ${manifest.tools.length} tools`);
      if (i > 0) times[who].push(ms); // the first pair warms the module cache
      await c.close();
    }
  }
  return { direct: median(times.direct), guarded: median(times.guarded) };
}

function decideBench(n: number): number {
  const tools = Array.from({ length: n }, (_, i) => ({
    name: `tool_${String(i).padStart(4, '0')}`,
    description: `Does thing ${i} with the given city and units.`,
    inputSchema: { type: 'object', properties: { city: { type: 'string', description: 'City name' }, units: { type: 'string', enum: ['metric', 'imperial'] } }, required: ['city'] },
    annotations: { readOnlyHint: i % 2 === 0 },
  }));
  const facts = { serverInfo: { name: 'bench', version: '1.0.0' }, protocolVersion: '2025-06-18', clientCapabilities: {} };
  const lists = { tools, prompts: [], resources: [], resourceTemplates: [] };
  const signed: Manifest = liveManifest({ ...facts, lists }, { capture: { clientProfile: 'bare' }, exclude: [] } as unknown as Manifest).manifest;
  const attestation = { manifest: signed, digest: manifestDigest(signed) };
  const runs = n >= 1000 ? 20 : 200;
  const times: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    const t = performance.now();
    const { manifest, rejected } = liveManifest({ ...facts, lists }, signed);
    const d = decideLists(attestation, manifest, { enforce: 'filter' }, rejected);
    if (d.exposed.tools.length !== n) throw new Error('decideLists hid a tool');
    if (i >= 5) times.push(performance.now() - t);
  }
  return median(times);
}

async function main(): Promise<void> {
  const bench = await startSigningBench();
  try {
    const probe = { kind: 'stdio' as const, command: process.execPath, args: [join(FIXTURES, 'guard-probe.mjs')], env: env() };
    const { path, manifest } = await signTarget(bench, probe, 'probe.sigstore.json');
    const calls = await callBench({ manifest, digest: manifestDigest(manifest) }, ['--bundle', path, ...identityFlags(bench)]);
    const out: string[] = ['| per call (echo, stdio) | p50 ms | p99 ms | added p50 ms | calls/s (32 in flight) | vs direct |', '|---|---:|---:|---:|---:|---:|'];
    const base = calls.direct;
    for (const who of ['direct', 'guard', 'proxy'] as Contender[]) {
      const s = calls[who];
      const added = who === 'direct' ? '' : (median(s.latencies) - median(base.latencies)).toFixed(3);
      const ratio = who === 'direct' ? '' : `${((median(s.throughput) / median(base.throughput)) * 100).toFixed(0)}%`;
      out.push(`| ${who} | ${median(s.latencies).toFixed(3)} | ${pct(s.latencies, 99).toFixed(3)} | ${added} | ${median(s.throughput).toFixed(0)} | ${ratio} |`);
    }
    out.push('', '| tools | connect + full tools/list, direct ms | guarded ms | added ms | liveManifest + decideLists ms |', '|---:|---:|---:|---:|---:|');
    for (const n of [10, 100, 1000]) {
      const c = await connectBench(n);
      out.push(`| ${n} | ${c.direct.toFixed(1)} | ${c.guarded.toFixed(1)} | ${(c.guarded - c.direct).toFixed(1)} | ${decideBench(n).toFixed(2)} |`);
    }
    const load = loadavg().map((l) => l.toFixed(1)).join(' ');
    out.push('', `Machine: ${cpus()[0]?.model.trim()}, nproc ${cpus().length}, Node ${process.version}, ${process.platform}/${process.arch}, load average ${load}; ${CALLS} sequential + ${CALLS * 2} concurrent calls per contender in ${ROUNDS} alternating rounds`);
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await bench.sigstore.close();
  }
}

await main();
