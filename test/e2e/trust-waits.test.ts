import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tufSource } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { writeWarmTufCache } from '../helpers/tuf-cache.js';
import { FIXTURES } from './capture.helpers.js';
import { identityFlags, signTarget, startSigningBench } from './proxy.helpers.js';

const seeds = createRequire(import.meta.url)('@sigstore/tuf/seeds.json') as Record<string, { 'root.json': string; targets: Record<string, string> }>;
const PUBLIC_GOOD = seeds['https://tuf-repo-cdn.sigstore.dev']!;

/** A loopback listener that accepts connections and never answers: a mirror that hangs. */
let hanging: Server;
let mirror: string;
const sockets: Socket[] = [];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'toolseal-trust-'));
  hanging = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`;
  writeFileSync(join(dir, 'root.json'), Buffer.from(PUBLIC_GOOD['root.json'], 'base64'));
  expect((await runCli(['keygen', join(dir, 'key')])).code).toBe(0);
  const sign = await runCli(['sign', '--key', join(dir, 'key.pem'), '-o', join(dir, 'b.json'), '--manifest-output', join(dir, 'm.json'), '--stdio', '--', process.execPath, join(FIXTURES, 'echo-args.mjs')]);
  expect(sign.code, sign.stderr).toBe(0);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => hanging.close(resolve));
});

/** An empty TUF cache folder for one run; `tuf/` inside it appears only if TUF was used. */
function freshCache(): { env: NodeJS.ProcessEnv; tufUsed: () => boolean } {
  const cache = mkdtempSync(join(dir, 'cache-'));
  return { env: { ...process.env, TOOLSEAL_CACHE_DIR: cache }, tufUsed: () => existsSync(join(cache, 'tuf')) };
}

describe('no silent network waits', () => {
  it('a key-based verify never touches TUF (no --offline, no --trusted-root needed)', async () => {
    const cache = freshCache();
    const run = await runCli(['verify', '--bundle', join(dir, 'b.json'), '--key', join(dir, 'key.pub.pem'), '--manifest', join(dir, 'm.json')], { env: cache.env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // No TUF cache was even created: the trust material is the shipped root (timing is bench/'s job).
    expect(cache.tufUsed()).toBe(false);
  });

  it('a file that is not a bundle is refused before any network', async () => {
    const cache = freshCache();
    const run = await runCli(['verify', '--bundle', join(dir, 'm.json'), '--certificate-identity', 'x', '--certificate-oidc-issuer', 'https://issuer.example'], { env: cache.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`toolseal: error [BUNDLE_MALFORMED]: ${join(dir, 'm.json')} is a toolseal manifest, not a Sigstore bundle.`);
    expect(cache.tufUsed()).toBe(false);
  });

  it('proxy --offline with public-good trust loads no TUF: the bundle is judged at once', async () => {
    const cache = freshCache();
    const run = await runCli(['proxy', '--offline', '--bundle', join(dir, 'b.json'), '--certificate-identity', 'x', '--certificate-oidc-issuer', 'https://issuer.example', '--', process.execPath, join(FIXTURES, 'echo-args.mjs')], { env: cache.env });
    // A key-signed bundle under a keyless policy: a verdict (exit 1), reached without TUF.
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('SIGNER_KIND_MISMATCH');
    expect(cache.tufUsed()).toBe(false);
  });

  it('a hanging mirror with a cached copy: the cached trusted root after 2 s, with one line saying so and its age', async () => {
    const cacheDir = mkdtempSync(join(dir, 'tuf-'));
    const repo = join(cacheDir, encodeURIComponent(new URL(mirror).host));
    mkdirSync(join(repo, 'targets'), { recursive: true });
    writeFileSync(join(repo, 'root.json'), Buffer.from(PUBLIC_GOOD['root.json'], 'base64'));
    // An expired (here: unreadable) timestamp makes the TUF client ask the mirror.
    writeFileSync(join(repo, 'timestamp.json'), '{}');
    const threeHoursAgo = (Date.now() - 3 * 3600_000) / 1000;
    utimesSync(join(repo, 'timestamp.json'), threeHoursAgo, threeHoursAgo);
    writeFileSync(join(repo, 'targets', 'trusted_root.json'), Buffer.from(PUBLIC_GOOD.targets['trusted_root.json']!, 'base64'));
    const notes: string[] = [];
    const start = Date.now();
    const trust = await tufSource(mirror, join(dir, 'root.json'), { cacheDir, onNote: (line) => notes.push(line) }).load();
    const took = Date.now() - start;
    expect(trust.certificateAuthorities.length).toBeGreaterThan(0);
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(4000);
    expect(notes).toEqual([expect.stringMatching(/the mirror did not answer within 2 s; using the cached trusted root from 3 hours ago \(.*trusted_root\.json\)\.$/)]);
  });

  it('a warm TUF cache (unexpired metadata): public-good trust verifies from disk, with no mirror and no note', async () => {
    const bench = await startSigningBench();
    try {
      const { path: bundle } = await signTarget(bench, { kind: 'stdio', command: process.execPath, args: [join(FIXTURES, 'echo-args.mjs')] }, 'warm.sigstore.json');
      const cache = mkdtempSync(join(dir, 'warm-'));
      // The cache a refresh would leave, serving the loopback Sigstore's trusted root; this machine reaches no mirror.
      await writeWarmTufCache(join(cache, 'tuf'), { trustedRoot: JSON.stringify(bench.sigstore.trustedRoot) });
      const flags = identityFlags(bench).slice(0, 4);
      const run = await runCli(['verify', '--bundle', bundle, ...flags], { env: { ...process.env, TOOLSEAL_CACHE_DIR: cache } });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stderr).not.toContain('cached trusted root');
      // Without the cache the same verification fails: it needs the mirror.
      const cold = await runCli(['verify', '--bundle', bundle, ...flags], { env: { ...process.env, TOOLSEAL_CACHE_DIR: mkdtempSync(join(dir, 'cold-')) } });
      expect(cold.code).toBe(2);
      expect(cold.stderr).toContain('[TUF_UNAVAILABLE]');
    } finally {
      await bench.sigstore.close();
    }
  }, 60_000);

  it('a hanging mirror and no cache: a clear TUF_UNAVAILABLE within 15 s', async () => {
    const start = Date.now();
    const failure = await tufSource(mirror, join(dir, 'root.json'), { cacheDir: mkdtempSync(join(dir, 'tuf-')), onNote: () => undefined }).load().then(() => undefined, (err: unknown) => err);
    expect(Date.now() - start).toBeLessThan(16_000);
    expect(failure).toMatchObject({ code: 'TUF_UNAVAILABLE', message: expect.stringContaining(`--trusted-root FILE or --offline`) });
  }, 30_000);
});
