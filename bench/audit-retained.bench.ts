/**
 * Retained memory of a streamed audit: `node --expose-gc --import tsx bench/audit-retained.bench.ts`
 * (N=4000 by default). Every 3 s it forces a full GC and prints the heap still in use above the
 * start, so GC lag (what peak RSS also measures) is told apart from what the audit keeps. Key-signed
 * bundles (fast to set up); all reports written as the CLI writes them.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditWithReports, createKeySigner, generateKeyPair, signManifest } from '../src/internal.js';
import { manifestFor, serverJson, startBundleHost, startSigningBench, writeJson } from '../test/e2e/audit.helpers.js';
import { startRegistryFixture } from '../test/e2e/registry.helpers.js';
const n = Number(process.env.N ?? 3000);
const bench = await startSigningBench();
const { privateKeyPem, publicKeyPem } = generateKeyPair();
const signer = createKeySigner({ privateKeyPem });
const policyFile = await writeJson(bench.dir, 'p.json', { version: 1, namespaces: [{ pattern: 'io.github.acme/*', identity: { keys: [publicKeyPem] } }] });
const host = await startBundleHost();
const rows = [];
for (let i = 0; i < n; i++) {
  const { bundle } = await signManifest(manifestFor(`server-${i}`), signer);
  host.routes.set(`/b/${i}.json`, { kind: 'ok', body: JSON.stringify(bundle) });
  rows.push({ server: serverJson(`io.github.acme/server-${i}`, { bundle: `${host.url}/b/${i}.json` }) });
}
const registry = await startRegistryFixture(rows, { pageSize: 100 });
const out = await mkdtemp(join(tmpdir(), 'diag-'));
(globalThis as any).gc();
const base = process.memoryUsage().heapUsed;
let done = 0;
const t = setInterval(() => { (globalThis as any).gc(); console.log(`done ${done} retained ${((process.memoryUsage().heapUsed - base) / 2 ** 20).toFixed(1)} MiB`); }, 3000);
await auditWithReports({ registry: registry.url, trustedRoot: bench.trustedRootPath, cacheDir: join(out, 'c'), policyFile, onResult: () => { done++; } },
  { stdout: createWriteStream(join(out, 'r.json')), json: true, sarif: { path: join(out, 's.sarif'), includePass: true }, markdown: join(out, 'm.md') });
clearInterval(t);
(globalThis as any).gc();
console.log(`end retained ${((process.memoryUsage().heapUsed - base) / 2 ** 20).toFixed(1)} MiB`);
await Promise.all([host.close(), registry.close(), bench.sigstore.close()]);
