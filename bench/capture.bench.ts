/**
 * Time to capture @modelcontextprotocol/server-everything over stdio, split into:
 *
 *   spawn:      StdioClientTransport.start() (the child's 'spawn' event)
 *   handshake:  initialize + notifications/initialized (the server loading its code counts here)
 *   listing:    captureFromClient: barrier ping, every page of the four lists, buildManifest
 *   close:      ending the child (stdin EOF, then SIGTERM after 500 ms if still alive)
 *   total:      captureServer end to end (a separate run, not the sum)
 *
 * Median of RUNS runs per client profile (default 10; RUNS=n to change).
 * Run: npx tsx bench/capture.bench.ts   (prints a Markdown table and the machine)
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  answerProfileRequests, BARE_PROFILE, captureFromClient, captureServer, FULL_PROFILE, watchTransport,
  type ClientProfile,
} from '../src/internal.js';
import { ensureExited } from '../src/manifest/capture/process.js';

const BIN = join(import.meta.dirname, '..', 'node_modules', '.bin', 'mcp-server-everything');
const RUNS = Number(process.env.RUNS ?? 10);

type Phase = 'spawn' | 'handshake' | 'listing' | 'close' | 'total';

async function phases(profile: ClientProfile): Promise<Record<Exclude<Phase, 'total'>, number>> {
  const transport = new StdioClientTransport({ command: BIN, args: ['stdio'], stderr: 'pipe' });
  transport.stderr?.on('data', () => undefined); // drain, never print
  const watch = watchTransport(transport);
  const client = new Client({ name: 'bench', version: '1' }, { capabilities: structuredClone(profile.capabilities) as Record<string, never> });
  answerProfileRequests(client, profile);
  const t0 = performance.now();
  let spawned = 0;
  const start = transport.start.bind(transport);
  transport.start = async () => { await start(); spawned = performance.now(); };
  await client.connect(transport);
  const t1 = performance.now();
  const pid = transport.pid!;
  await captureFromClient(client, { profile, protocolVersion: watch.protocolVersion()! });
  const t2 = performance.now();
  const closing = client.close();
  await ensureExited(pid);
  await closing;
  const t3 = performance.now();
  return { spawn: spawned - t0, handshake: t1 - spawned, listing: t2 - t1, close: t3 - t2 };
}

async function total(profile: ClientProfile): Promise<number> {
  const t0 = performance.now();
  await captureServer({ kind: 'stdio', command: BIN, args: ['stdio'] }, { profile });
  return performance.now() - t0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const rows: string[] = [];
for (const profile of [BARE_PROFILE, FULL_PROFILE]) {
  const samples: Record<Phase, number[]> = { spawn: [], handshake: [], listing: [], close: [], total: [] };
  await phases(profile); // warm-up: file cache, JIT
  for (let i = 0; i < RUNS; i++) {
    const p = await phases(profile);
    for (const k of Object.keys(p) as Array<keyof typeof p>) samples[k].push(p[k]);
    samples.total.push(await total(profile));
  }
  const cells = (['spawn', 'handshake', 'listing', 'close', 'total'] as Phase[]).map((k) => median(samples[k]).toFixed(1));
  rows.push(`| ${profile.name} | ${cells.join(' | ')} |`);
}

console.log(`capture of server-everything over stdio, median of ${RUNS} runs, ms\n`);
console.log('| profile | spawn | handshake | listing | close | total |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
console.log(`\nmachine: ${cpus().length} cpus, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`);
