import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { globSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './capture.helpers.js';
import { CLI, identityFlags, signTarget, startSigningBench, type SigningBench } from './proxy.helpers.js';
import { startListening, type ListeningProxy } from './proxy-modern.helpers.js';

const SUITE = join(ROOT, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
// The suite imports fs.globSync (Node 22+) for a command these tests do not run; on Node 20 a
// loader gives that one package a stand-in (test/helpers/node20).
const NODE_ARGS = typeof globSync === 'function' ? [] : ['--import', join(ROOT, 'test', 'helpers', 'node20', 'register.mjs')];
const REQUIREMENTS = ['2025-11-25', '2026-07-28'] as const;

interface SuiteRun { passed: Set<string>; failed: Set<string>; scored: Set<string>; output: string }

/** Runs the official conformance suite's server scenarios of one requirement set against `url`. */
function runSuite(url: string, requirements: string): Promise<SuiteRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, SUITE, 'server', '--url', url, '--requirements', requirements], { cwd: mkdtempSync(join(tmpdir(), 'toolseal-conformance-')), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => { output += c.toString(); });
    child.stderr!.on('data', (c: Buffer) => { output += c.toString(); });
    child.once('error', reject);
    child.once('exit', () => {
      const [results = '', unscored = ''] = output.split(/^Not scored for /m);
      const lines = [...results.matchAll(/^([✓✗]) ([\w/-]+): \d+ passed, \d+ failed$/gm)];
      const notScored = new Set([...unscored.matchAll(/^\s+[✓✗] ([\w/-]+) \(/gm)].map((m) => m[1]!));
      const scored = lines.filter((m) => !notScored.has(m[2]!));
      resolve({
        passed: new Set(scored.filter((m) => m[1] === '✓').map((m) => m[2]!)),
        failed: new Set(scored.filter((m) => m[1] === '✗').map((m) => m[2]!)),
        scored: new Set(scored.map((m) => m[2]!)),
        output,
      });
    });
  });
}

/** Starts test/fixtures/servers/conformance.mjs and resolves with its URL. */
async function startFixture(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [join(ROOT, 'test', 'fixtures', 'servers', 'conformance.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (c: Buffer) => resolve((JSON.parse(c.toString()) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the conformance fixture exited with ${code}`)));
  });
  return { url: `http://localhost:${port}/mcp`, stop: () => child.stdin!.end() };
}

let bench: SigningBench;
let fixture: { url: string; stop: () => void };
let viaHttp: ListeningProxy;
let viaStdio: ListeningProxy;
const direct = new Map<string, SuiteRun>();

beforeAll(async () => {
  [bench, fixture] = await Promise.all([startSigningBench(), startFixture()]);
  const { path } = await signTarget(bench, { kind: 'http', url: fixture.url }, 'conformance.sigstore.json');
  const guard = ['--bundle', path, ...identityFlags(bench)];
  // HTTP clients → toolseal proxy --listen → the fixture; and through the stdio proxy as well:
  // the HTTP proxy's upstream is `toolseal proxy --upstream URL` over stdio (a bridge).
  [viaHttp, viaStdio] = await Promise.all([
    startListening([...guard, '--upstream', fixture.url]),
    startListening(guard, undefined, {}, [process.execPath, CLI, 'proxy', ...guard, '--upstream', fixture.url]),
  ]);
  for (const requirements of REQUIREMENTS) direct.set(requirements, await runSuite(fixture.url, requirements));
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([viaHttp?.stop(), viaStdio?.stop(), bench?.sigstore.close()]);
  fixture?.stop();
});

describe('the MCP conformance suite (server scenarios) against toolseal\'s SDK v2 fixture, directly and through the proxy', () => {
  for (const requirements of REQUIREMENTS) {
    it(`${requirements}: every required scenario passes directly`, () => {
      const run = direct.get(requirements)!;
      expect(run.scored.size, run.output).toBe(requirements === '2025-11-25' ? 30 : 37);
      expect([...run.failed]).toEqual([]);
    });

    // Through the stdio proxy for the stateless set only: there one bridged stdio proxy serves every
    // request, while each 2025-era session would spawn its own (30 of 30 pass too, in about two minutes).
    const faces: [string, () => ListeningProxy][] = [['toolseal proxy --listen', () => viaHttp], ...(requirements === '2026-07-28' ? [['the stdio proxy (bridged)', () => viaStdio] as [string, () => ListeningProxy]] : [])];
    for (const [face, proxy] of faces) {
      it(`${requirements}: every scenario that passes directly passes through ${face}`, async () => {
        const run = await runSuite(proxy().url, requirements);
        process.stdout.write(`conformance ${requirements} through ${face}: ${run.passed.size}/${run.scored.size} required scenarios pass (directly: ${direct.get(requirements)!.passed.size})\n`);
        expect([...direct.get(requirements)!.passed].filter((s) => !run.passed.has(s)), run.output.slice(-4000)).toEqual([]);
        // The guard's checks were on: the proxy verified and accepted the signed manifest.
        expect(proxy().stderr()).toMatch(/toolseal-conformance-fixture .*: accept/);
      }, 120_000);
    }
  }
});
