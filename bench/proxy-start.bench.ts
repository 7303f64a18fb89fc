/**
 * What the default trust costs at proxy start: from spawning `toolseal proxy` (as an MCP client
 * does) to the first `tools/list` answer, with Sigstore public-good trust read from a warm TUF
 * cache against `--trusted-root FILE`, in one run. Issue #10 aims at most 1.2x.
 *
 *   public-good (warm)   no trust flag, `TOOLSEAL_CACHE_DIR` holding the cache a TUF refresh
 *                        leaves (unexpired timestamp, snapshot, targets and trusted_root.json),
 *                        so the TUF client reads it from disk and asks no mirror
 *   --trusted-root       the same trusted root as a file
 *
 * Both verify the same keyless bundle from the loopback Sigstore (the warm cache serves its
 * trusted root: see `test/helpers/tuf-cache.ts`), for two servers: the guard-probe fixture
 * (what the proxy itself costs) and the real server-everything. Rounds alternate the order.
 *
 * Run: npx tsx bench/proxy-start.bench.ts   (after `npm run build`; ROUNDS=12 by default)
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { mkdtemp } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeWarmTufCache } from '../test/helpers/tuf-cache.js';
import { identityFlags, signTarget, startSigningBench } from '../test/e2e/proxy.helpers.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const ROUNDS = Number(process.env.ROUNDS ?? 12);
const SERVERS = {
  'guard-probe fixture': [process.execPath, join(ROOT, 'test', 'fixtures', 'servers', 'guard-probe.mjs')],
  'server-everything': [join(ROOT, 'node_modules', '.bin', 'mcp-server-everything')],
};
type Contender = 'public-good (warm cache)' | '--trusted-root';
const CONTENDERS: Contender[] = ['public-good (warm cache)', '--trusted-root'];

const baseEnv = (): Record<string, string> => Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));

/** Spawns the proxy, connects a bare SDK client and waits for the first tools/list answer; returns ms and the tool count. */
async function startToList(args: string[], server: string[], env: Record<string, string>): Promise<{ ms: number; tools: number }> {
  const t = performance.now();
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'proxy', ...args, '--', ...server], env, stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '1.0.0' }, { capabilities: {} });
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    return { ms: performance.now() - t, tools: tools.length };
  } finally {
    await client.close();
  }
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const bench = await startSigningBench();
  try {
    const cacheHome = await mkdtemp(join(tmpdir(), 'toolseal-bench-tuf-'));
    await writeWarmTufCache(join(cacheHome, 'tuf'), { trustedRoot: JSON.stringify(bench.sigstore.trustedRoot) });
    const identity = identityFlags(bench).slice(0, 4); // issuer and SAN, without --trusted-root
    const out = [
      '| server | trust | p50 ms | p90 ms | vs --trusted-root (p50) |',
      '|---|---|---:|---:|---:|',
    ];
    for (const [name, server] of Object.entries(SERVERS)) {
      const [command, ...args] = server as [string, ...string[]];
      const { path: bundle, manifest } = await signTarget(bench, { kind: 'stdio', command, args, env: baseEnv() }, `${name.replace(/\W+/g, '-')}.sigstore.json`);
      const runs: Record<Contender, string[]> = {
        'public-good (warm cache)': ['--bundle', bundle, ...identity],
        '--trusted-root': ['--bundle', bundle, ...identity, '--trusted-root', bench.trustedRootPath],
      };
      // Each contender gets its own empty cache home except the warm one, so the file contender cannot read TUF by accident.
      const envs: Record<Contender, Record<string, string>> = {
        'public-good (warm cache)': { ...baseEnv(), TOOLSEAL_CACHE_DIR: cacheHome },
        '--trusted-root': { ...baseEnv(), TOOLSEAL_CACHE_DIR: await mkdtemp(join(tmpdir(), 'toolseal-bench-empty-')) },
      };
      const times: Record<Contender, number[]> = { 'public-good (warm cache)': [], '--trusted-root': [] };
      for (let round = 0; round <= ROUNDS; round++) {
        for (const who of round % 2 === 0 ? CONTENDERS : [...CONTENDERS].reverse()) {
          const { ms, tools } = await startToList(runs[who], server, envs[who]);
          if (tools !== manifest.tools.length) throw new Error(`${who}: the client got ${tools} of ${manifest.tools.length} tools`);
          if (round > 0) times[who].push(ms); // round 0 warms the file system cache
        }
      }
      const base = pct(times['--trusted-root'], 50);
      for (const who of CONTENDERS) {
        const ratio = who === '--trusted-root' ? '' : `${(pct(times[who], 50) / base).toFixed(2)}x`;
        out.push(`| ${name} | ${who} | ${pct(times[who], 50).toFixed(0)} | ${pct(times[who], 90).toFixed(0)} | ${ratio} |`);
      }
    }
    const load = loadavg().map((l) => l.toFixed(1)).join(' ');
    out.push('', `Machine: ${cpus()[0]?.model.trim()}, nproc ${cpus().length}, Node ${process.version}, ${process.platform}/${process.arch}, load average ${load}; ${ROUNDS} alternating rounds per server after one warm-up round`);
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await bench.sigstore.close();
  }
}

await main();
