/**
 * HTTP proxy throughput: requests per second with 64 concurrent clients sending back-to-back
 * POSTs (`tools/list`, or `tools/call` of `echo`), directly against an SDK v2 dual-era server
 * over Streamable HTTP and through `startHttpProxy` (the code of `toolseal proxy --listen`,
 * in its own process), in both eras:
 *   2025-11-25   each client opens a session (`initialize`, `notifications/initialized`) and
 *                sends its requests in it; through the proxy every session is a GuardSession
 *                with its own upstream connection (the server itself is stateless)
 *   2026-07-28   stateless requests with `_meta`; one shared ModernGuard answers them all
 * The proxy runs with the verified-view cache on and off (`verifyCache`, modern era: off
 * re-reads and re-verifies every list request). The 2025-era session has no switch: it
 * re-reads a list the client asks for and re-verifies only when its content changed. Every
 * answer is checked for a result; each contender runs twice per row, alternating.
 * Run: npm run build && npx tsx bench/proxy-http.bench.ts  (DURATION_MS 4000, CONCURRENCY 64, ERAS legacy,modern)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { captureServer, manifestDigest } from '../src/index.js';

const ROOT = join(import.meta.dirname, '..');
const DURATION_MS = Number(process.env.DURATION_MS ?? 4000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const ERAS = (process.env.ERAS ?? 'legacy,modern').split(',') as Era[];
const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
const META = { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' } };

type Era = 'legacy' | 'modern';

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
    const proxy = await startHttpProxy({ upstream: { kind: 'http', url: ${JSON.stringify(upstream)} }, port: 0, attestation, verifyCache: ${verifyCache}, maxSessions: ${CONCURRENCY * 2} });
    console.error('listening on ' + proxy.url);
    process.stdin.on('end', () => proxy.close().then(() => process.exit(0)));
    process.stdin.resume();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'ignore', 'pipe'] });
  const m = await firstLine(child, 'stderr', /listening on (\S+)/);
  return { url: m[1]!, child };
}

/** One client's connection: its session id (2025 era, when the endpoint gave one). */
interface Conn { url: string; era: Era; session?: string }

function post(conn: Conn, id: number | undefined, method: string, params: Record<string, unknown>): Promise<Response> {
  const name = params.name;
  const modern = conn.era === 'modern';
  const headers: Record<string, string> = {
    'content-type': 'application/json', accept: 'application/json, text/event-stream',
    ...(modern ? { 'mcp-protocol-version': MODERN, 'mcp-method': method, ...(typeof name === 'string' ? { 'mcp-name': name } : {}) } : {}),
    ...(!modern && method !== 'initialize' ? { 'mcp-protocol-version': LEGACY } : {}),
    ...(conn.session ? { 'mcp-session-id': conn.session } : {}),
  };
  const body = { jsonrpc: '2.0', ...(id === undefined ? {} : { id }), method, params: modern ? { ...params, _meta: META } : params };
  return fetch(conn.url, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** Opens a client: a 2025-era session (initialize, then initialized), or nothing to open in the modern era. */
async function connect(url: string, era: Era): Promise<Conn> {
  const conn: Conn = { url, era };
  if (era === 'modern') return conn;
  const res = await post(conn, 0, 'initialize', { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
  const text = await res.text();
  if (!text.includes('"result"')) throw new Error(`initialize failed: ${text.slice(0, 200)}`);
  const session = res.headers.get('mcp-session-id');
  if (session) conn.session = session;
  await (await post(conn, undefined, 'notifications/initialized', {})).text();
  return conn;
}

async function disconnect(conn: Conn): Promise<void> {
  if (conn.session) await fetch(conn.url, { method: 'DELETE', headers: { 'mcp-session-id': conn.session, 'mcp-protocol-version': LEGACY } }).then((r) => r.text(), () => undefined);
}

/** CONCURRENCY clients sending back-to-back requests for `ms`; resolves with requests/s (every answer checked). */
async function load(url: string, era: Era, method: string, params: Record<string, unknown>, ms = DURATION_MS): Promise<number> {
  const conns = await Promise.all(Array.from({ length: CONCURRENCY }, () => connect(url, era)));
  const end = Date.now() + ms;
  let done = 0;
  let id = 0;
  await Promise.all(conns.map(async (conn) => {
    while (Date.now() < end) {
      const res = await post(conn, ++id, method, params);
      const text = await res.text();
      if (!text.includes('"result"')) throw new Error(`${era} ${method} failed: ${text.slice(0, 200)}`);
      done++;
    }
  }));
  await Promise.all(conns.map(disconnect));
  return done / (ms / 1000);
}

const server = await startServer();
const manifest = await captureServer({ kind: 'http', url: server.url });
const file = join(mkdtempSync(join(tmpdir(), 'toolseal-bench-')), 'attestation.json');
writeFileSync(file, JSON.stringify({ manifest, digest: manifestDigest(manifest) }));
const cached = await startProxy(server.url, file, true);
const uncached = await startProxy(server.url, file, false);
const load0 = loadavg().map((l) => l.toFixed(2)).join(' ');
const workloads: [string, string, Record<string, unknown>][] = [['tools/list', 'tools/list', {}], ['tools/call echo', 'tools/call', { name: 'echo', arguments: { text: 'hi' } }]];
const rows: string[] = [];
const pct = (n: number, of: number): string => `${n.toFixed(0)} (${((n / of) * 100).toFixed(0)} %)`;
for (const era of ERAS) {
  for (const [label, method, params] of workloads) {
    // The 2025-era session has no cache switch (it re-verifies only changed content): no "off" column.
    const contenders = era === 'modern' ? (['direct', 'on', 'off'] as const) : (['direct', 'on'] as const);
    const urlOf = { direct: server.url, on: cached.url, off: uncached.url };
    for (const who of contenders) await load(urlOf[who], era, method, params, 1000); // warm-up, not counted
    // Contenders alternate within the row, forward then backward, so load drift hits them alike.
    const runs: Record<'direct' | 'on' | 'off', number[]> = { direct: [], on: [], off: [] };
    for (const order of [[...contenders], [...contenders].reverse()]) {
      for (const who of order) runs[who].push(await load(urlOf[who], era, method, params, DURATION_MS / 2));
    }
    const mean = (who: 'direct' | 'on' | 'off'): number => runs[who].reduce((a, b) => a + b, 0) / runs[who].length;
    const direct = mean('direct');
    rows.push(`| ${era === 'modern' ? MODERN : LEGACY} | ${label} | ${direct.toFixed(0)} | ${pct(mean('on'), direct)} | ${era === 'modern' ? pct(mean('off'), direct) : '(no switch)'} |`);
  }
}
for (const p of [cached, uncached, server]) p.child.stdin?.end();
console.log(`Machine: ${cpus()[0]?.model ?? 'unknown'}, nproc ${cpus().length}, Node ${process.version}, load ${load0} before, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after; ${CONCURRENCY} concurrent clients, ${DURATION_MS} ms per contender and row\n`);
console.log('| era | requests | direct req/s | proxy, cache on | proxy, cache off |');
console.log('|---|---|---:|---:|---:|');
for (const row of rows) console.log(row);
setTimeout(() => process.exit(0), 500).unref();
