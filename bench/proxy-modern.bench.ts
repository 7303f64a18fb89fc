/**
 * Stateless (MCP 2026-07-28) requests per second with 64 concurrent clients: directly
 * against an SDK v2 server over Streamable HTTP, and through `startHttpProxy` (run in its
 * own process, as `toolseal proxy --listen` runs) with the verified-view cache on and off.
 * Run: npm run build && npx tsx bench/proxy-modern.bench.ts  (DURATION_MS, CONCURRENCY)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { captureServer, manifestDigest } from '../src/index.js';

const ROOT = join(import.meta.dirname, '..');
const DURATION_MS = Number(process.env.DURATION_MS ?? 5000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' } };

function firstLine(child: ChildProcess, stream: 'stdout' | 'stderr', match: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child[stream]! }).on('line', (line) => { const m = match.exec(line); if (m) resolve(m); });
    child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
  });
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(ROOT, 'test/fixtures/servers/dual-era.mjs'), '--http'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const m = await firstLine(child, 'stdout', /"port":\s*(\d+)/);
  return { url: `http://127.0.0.1:${m[1]}/mcp`, child };
}

/** The proxy in its own process (the built library), verifying against `attestationFile`. */
async function startProxy(upstream: string, attestationFile: string, verifyCache: boolean): Promise<{ url: string; child: ChildProcess }> {
  const script = `
    import { readFileSync } from 'node:fs';
    import { startHttpProxy } from ${JSON.stringify(join(ROOT, 'dist/src/index.js'))};
    const attestation = JSON.parse(readFileSync(${JSON.stringify(attestationFile)}, 'utf8'));
    const proxy = await startHttpProxy({ upstream: { kind: 'http', url: ${JSON.stringify(upstream)} }, port: 0, attestation, verifyCache: ${verifyCache} });
    console.error('listening on ' + proxy.url);
    process.stdin.on('end', () => proxy.close().then(() => process.exit(0)));
    process.stdin.resume();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'ignore', 'pipe'] });
  const m = await firstLine(child, 'stderr', /listening on (\S+)/);
  return { url: m[1]!, child };
}

function post(url: string, id: number, method: string, params: Record<string, unknown>): Promise<Response> {
  const name = params.name;
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(typeof name === 'string' ? { 'mcp-name': name } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: META } }),
  });
}

/** CONCURRENCY loops of back-to-back requests for DURATION_MS; resolves with requests/s (every answer checked). */
async function load(url: string, method: string, params: Record<string, unknown>): Promise<number> {
  const end = Date.now() + DURATION_MS;
  let done = 0;
  let id = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < end) {
      const res = await post(url, ++id, method, params);
      const text = await res.text();
      if (!text.includes('"result"')) throw new Error(`${method} failed: ${text.slice(0, 200)}`);
      done++;
    }
  }));
  return done / (DURATION_MS / 1000);
}

const server = await startServer();
const manifest = await captureServer({ kind: 'http', url: server.url });
const file = join(mkdtempSync(join(tmpdir(), 'toolseal-bench-')), 'attestation.json');
writeFileSync(file, JSON.stringify({ manifest, digest: manifestDigest(manifest) }));
const cached = await startProxy(server.url, file, true);
const uncached = await startProxy(server.url, file, false);
const workloads: [string, string, Record<string, unknown>][] = [['tools/list', 'tools/list', {}], ['tools/call echo', 'tools/call', { name: 'echo', arguments: { text: 'hi' } }]];
const rows: string[] = [];
for (const [label, method, params] of workloads) {
  await load(server.url, method, params); // warm-up pass, not counted
  const direct = await load(server.url, method, params);
  const on = await load(cached.url, method, params);
  const off = await load(uncached.url, method, params);
  rows.push(`| ${label} | ${direct.toFixed(0)} | ${on.toFixed(0)} (${((on / direct) * 100).toFixed(0)} %) | ${off.toFixed(0)} (${((off / direct) * 100).toFixed(0)} %) |`);
}
for (const p of [cached, uncached, server]) p.child.stdin?.end();
console.log(`Machine: ${cpus()[0]?.model ?? 'unknown'}, nproc ${cpus().length}, Node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${CONCURRENCY} concurrent clients, ${DURATION_MS} ms per run\n`);
console.log('| requests | direct req/s | proxy, cache on | proxy, cache off |');
console.log('|---|---|---|---|');
for (const row of rows) console.log(row);
setTimeout(() => process.exit(0), 500).unref();
