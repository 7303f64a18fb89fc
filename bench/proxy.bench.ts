/**
 * What the guard costs, against a direct connection to the same server in the same run.
 *
 *   per call:    sequential `tools/call` round trips (p50, p99) and throughput with 32 calls
 *                in flight, over stdio, SDK v1 client, four ways:
 *                  direct   SDK Client → stdio → server
 *                  guard    SDK Client → GuardedTransport (in-process core) → stdio → server
 *                  relay    SDK Client → stdio → bench/relay.mjs → stdio → server (pipes bytes
 *                           both ways, parses nothing: the ceiling of any separate-process proxy)
 *                  proxy    SDK Client → stdio → `toolseal proxy` process → stdio → server
 *                Rounds take the contenders in every rotation, forward and backward, so machine load hits
 *                them alike; proxy / relay is also taken round by round.
 *                SERVER=sdk (default): an SDK v1 server (bench/sdk-echo-server.mjs);
 *                SERVER=probe: the guard-probe fixture (hand-written, cheaper per call).
 *   connect:     connect + one full `tools/list` for servers of 10, 100 and 1,000 tools
 *                (paginated fixture, 100 per page), direct (client pages through) vs guarded
 *                (the guard reads every page, verifies, then re-reads at the client's list).
 *   decide:      `liveManifest` + `decideLists` alone (CPU), same sizes.
 *
 * Run: npm run build && npx tsx bench/proxy.bench.ts   (prints Markdown and the machine)
 *   ROUNDS (8: every order once), CALLS (sequential calls per contender and round, 2000), FLIGHT_CALLS (calls with
 *   32 in flight per contender and round, 20000), WARM_CALLS (calls with 32 in flight before
 *   measuring, each round, 40000), SERVER (sdk | probe), CONNECT=0 skips connect/decide,
 *   PROFILE=dir writes a CPU profile of each proxy round there.
 *
 * The warm-up is long because each round starts a fresh proxy and the figures are meant to
 * be a long-lived proxy's: after 5,000 calls `perf` still found V8's optimizing compiler in a
 * quarter of the proxy process's CPU samples, and its CPU per call fell from 11 to 9.5 µs
 * between 5,000 and 40,000 warm-up calls (the relay's: 6 to 5.5-6). 2,000 sequential calls
 * per round, because the relay adds only 15-30 µs at p50, so its p50 is the noisy part of
 * the latency ratio.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { captureServer, createGuardedTransport, decideLists, liveManifest, manifestDigest, type GuardAttestation, type Manifest } from '../src/internal.js';
import { identityFlags, signTarget, startSigningBench } from '../test/e2e/proxy.helpers.js';

const ROOT = join(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'servers');
const ROUNDS = Number(process.env.ROUNDS ?? 8);
const CALLS = Number(process.env.CALLS ?? 2000);
const FLIGHT_CALLS = Number(process.env.FLIGHT_CALLS ?? 20000);
const WARM_CALLS = Number(process.env.WARM_CALLS ?? 40000);
const SERVER = process.env.SERVER ?? 'sdk';
const SERVER_ARGS = [SERVER === 'probe' ? join(FIXTURES, 'guard-probe.mjs') : join(ROOT, 'bench', 'sdk-echo-server.mjs')];
/** PROFILE=dir: the proxy process writes a V8 CPU profile per round there (`node --cpu-prof`). */
const PROFILE = process.env.PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.PROFILE] : [];
const env = (extra: Record<string, string> = {}): Record<string, string> =>
  ({ ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)), ...extra });

const CONTENDERS = ['direct', 'guard', 'relay', 'proxy'] as const;
type Contender = typeof CONTENDERS[number];
/**
 * Every rotation of the contenders, forward and backward, one per round: each runs after each
 * other one as often. A sequential round trip here is 20-60 µs, and how fast one runs depends
 * on what ran just before (the relay's p50 moved by 20 µs when a contender was added before it).
 */
const ORDERS: Contender[][] = CONTENDERS.flatMap((_, r) => {
  const rotation = CONTENDERS.map((__, k) => CONTENDERS[(k + r) % CONTENDERS.length]!);
  return [rotation, [...rotation].reverse()];
});
interface Sample { latencies: number[]; p50s: number[]; throughput: number[]; cpuPerCall: number[] }

async function client(transport: Transport): Promise<Client> {
  const c = new Client({ name: 'bench', version: '1.0.0' }, { capabilities: {} });
  await c.connect(transport);
  return c;
}

function serverTransport(): StdioClientTransport {
  return new StdioClientTransport({ command: process.execPath, args: SERVER_ARGS, env: env(), stderr: 'ignore' });
}

/**
 * CPU time (user + system, all threads) a process has used, in µs, from /proc (Linux); the
 * middle process's CPU per call is less sensitive to machine load than calls per second.
 */
function cpuMicros(pid: number | null | undefined): number | undefined {
  if (!pid || !existsSync(`/proc/${pid}/stat`)) return undefined;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1e6 / 100); // clock ticks of 10 ms (USER_HZ 100)
}

/** `total` calls with 32 in flight. */
async function inFlight(c: Client, total: number, text: string): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < total) {
      next++;
      await c.callTool({ name: 'echo', arguments: { text } });
    }
  }));
}

async function perCall(c: Client, sample: Sample, middle?: number | null): Promise<void> {
  // Each round opens a fresh process: warm it up (V8 compiles the hot path) before measuring,
  // so the figures are those of a long-lived proxy, not of its first seconds.
  for (let i = 0; i < 200; i++) await c.callTool({ name: 'echo', arguments: { text: 'warm' } });
  await inFlight(c, WARM_CALLS, 'warm');
  const round: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    await c.callTool({ name: 'echo', arguments: { text: `c${i}` } });
    round.push(performance.now() - t);
  }
  sample.latencies.push(...round);
  sample.p50s.push(median(round));
  const cpu0 = cpuMicros(middle);
  const t = performance.now();
  await inFlight(c, FLIGHT_CALLS, 'tp');
  sample.throughput.push(FLIGHT_CALLS / ((performance.now() - t) / 1000));
  const cpu1 = cpuMicros(middle);
  if (cpu0 !== undefined && cpu1 !== undefined) sample.cpuPerCall.push((cpu1 - cpu0) / FLIGHT_CALLS);
}

async function callBench(attestation: GuardAttestation, proxyArgs: string[]): Promise<Record<Contender, Sample>> {
  const samples = Object.fromEntries(CONTENDERS.map((c) => [c, { latencies: [], p50s: [], throughput: [], cpuPerCall: [] }])) as unknown as Record<Contender, Sample>;
  // The relay and the proxy are the middle process: the SDK transport's child.
  const middle = (args: string[]) => async (): Promise<[Client, number | null]> => {
    const transport = new StdioClientTransport({ command: process.execPath, args, env: env(), stderr: 'ignore' });
    return [await client(transport), transport.pid];
  };
  const open: Record<Contender, () => Promise<[Client, number | null]>> = {
    direct: async () => [await client(serverTransport()), null],
    guard: async () => [await client(createGuardedTransport(serverTransport(), { attestation })), null],
    relay: middle([join(ROOT, 'bench', 'relay.mjs'), process.execPath, ...SERVER_ARGS]),
    proxy: middle([...PROFILE, join(ROOT, 'dist', 'cli', 'main.js'), 'proxy', ...proxyArgs, '--', process.execPath, ...SERVER_ARGS]),
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const who of ORDERS[round % ORDERS.length]!) {
      const [c, pid] = await open[who]();
      await perCall(c, samples[who], pid);
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

const fixed = (n: number, digits = 3): string => n.toFixed(digits);
const range = (values: number[]): string => `${fixed(Math.min(...values), 2)}–${fixed(Math.max(...values), 2)}`;

/** The per-call table, then the two figures of issue #15: proxy / relay throughput and added p50. */
function callTable(calls: Record<Contender, Sample>): string[] {
  const out = ['| per call (echo, stdio) | p50 ms | p99 ms | added p50 ms | calls/s (32 in flight) | vs direct | middle process CPU µs/call |', '|---|---:|---:|---:|---:|---:|---:|'];
  const base = median(calls.direct.latencies);
  const added = (who: Contender): number => median(calls[who].latencies) - base;
  for (const who of CONTENDERS) {
    const s = calls[who];
    const ratio = who === 'direct' ? '' : `${fixed((median(s.throughput) / median(calls.direct.throughput)) * 100, 0)}%`;
    const cpu = s.cpuPerCall.length > 0 ? fixed(median(s.cpuPerCall), 1) : '';
    out.push(`| ${who} | ${fixed(median(s.latencies))} | ${fixed(pct(s.latencies, 99))} | ${who === 'direct' ? '' : fixed(added(who))} | ${fixed(median(s.throughput), 0)} | ${ratio} | ${cpu} |`);
  }
  // Round by round: the relay and the proxy ran under the same machine state.
  const tpRatios = calls.proxy.throughput.map((t, i) => t / calls.relay.throughput[i]!);
  const addedRatios = calls.proxy.p50s.map((p, i) => (p - calls.direct.p50s[i]!) / (calls.relay.p50s[i]! - calls.direct.p50s[i]!));
  out.push('',
    '| proxy against the bare relay | median | per round | aim |', '|---|---:|---:|---:|',
    `| throughput, proxy / relay | ${fixed(median(calls.proxy.throughput) / median(calls.relay.throughput), 2)} | ${range(tpRatios)} | ≥ 0.80 |`,
    `| added p50, proxy / relay | ${fixed(added('proxy') / added('relay'), 2)} (+${fixed(added('proxy'))} / +${fixed(added('relay'))} ms) | ${range(addedRatios)} | ≤ 2.00 |`);
  if (calls.proxy.cpuPerCall.length > 0 && calls.relay.cpuPerCall.length > 0) {
    const cpuRatios = calls.proxy.cpuPerCall.map((c, i) => c / calls.relay.cpuPerCall[i]!);
    out.push(`| middle process CPU per call, proxy / relay | ${fixed(median(calls.proxy.cpuPerCall) / median(calls.relay.cpuPerCall), 2)} | ${range(cpuRatios)} | (no aim) |`);
  }
  return out;
}

function machine(): string {
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  return `Machine: ${cpus()[0]?.model.trim()}, nproc ${cpus().length}, Node ${process.version}, ${process.platform}/${process.arch}, load average ${load}; server ${SERVER}; ${WARM_CALLS} warm-up, ${CALLS} sequential + ${FLIGHT_CALLS} calls 32 in flight per contender and round, ${ROUNDS} rounds, each contender order once (rotations, forward and backward)`;
}

async function main(): Promise<void> {
  const bench = await startSigningBench();
  try {
    const target = { kind: 'stdio' as const, command: process.execPath, args: SERVER_ARGS, env: env() };
    const { path, manifest } = await signTarget(bench, target, 'probe.sigstore.json');
    const calls = await callBench({ manifest, digest: manifestDigest(manifest) }, ['--bundle', path, ...identityFlags(bench)]);
    const out: string[] = callTable(calls);
    if (process.env.CONNECT === '0') return void process.stdout.write(`${[...out, '', machine()].join('\n')}\n`);
    out.push('', '| tools | connect + full tools/list, direct ms | guarded ms | added ms | liveManifest + decideLists ms |', '|---:|---:|---:|---:|---:|');
    for (const n of [10, 100, 1000]) {
      const c = await connectBench(n);
      out.push(`| ${n} | ${c.direct.toFixed(1)} | ${c.guarded.toFixed(1)} | ${(c.guarded - c.direct).toFixed(1)} | ${decideBench(n).toFixed(2)} |`);
    }
    out.push('', machine());
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await bench.sigstore.close();
  }
}

await main();
