import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from './guard.helpers.js';
import { identityFlags, signTarget, startSigningBench, type SigningBench } from './proxy.helpers.js';
import { execFileSync } from 'node:child_process';
import { until } from './guard.helpers.js';
import { connectStdio, proxyCommand, stringEnv, type ClientEra } from './proxy-modern.helpers.js';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildManifest, captureServer, FULL_PROFILE } from '../../src/internal.js';

/** Processes whose command line names `needle` (the process table, as ps shows it). */
function processesNaming(needle: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(needle));
}

let bench: SigningBench;
let eraBundle: string;
let legacyBundle: string;

beforeAll(async () => {
  bench = await startSigningBench();
  // The dual-era server's entries are the same in both eras: its 2025 capture signs the modern-only server too.
  [eraBundle, legacyBundle] = (await Promise.all([
    signTarget(bench, fixture('dual-era.mjs'), 'era.sigstore.json'),
    signTarget(bench, fixture('paginated.mjs'), 'legacy.sigstore.json'),
  ])).map((s) => s.path) as [string, string];
}, 60_000);

afterAll(async () => {
  await bench?.sigstore.close();
});

const flags = (bundle: string): string[] => ['--bundle', bundle, ...identityFlags(bench)];

describe('toolseal proxy over stdio serves each client in the era it shares with the server', () => {
  const works: [ClientEra, string, 'modern' | 'legacy'][] = [
    ['modern', 'modern.mjs', 'modern'], ['modern', 'dual-era.mjs', 'modern'], ['auto', 'modern.mjs', 'modern'],
    ['auto', 'paginated.mjs', 'legacy'], ['legacy', 'dual-era.mjs', 'legacy'],
  ];
  for (const [era, script, lands] of works) {
    it(`a v2 ${era} client and ${script}: ${lands} era, the lists in the server's order, calls pass`, async () => {
      const bundle = script === 'paginated.mjs' ? legacyBundle : eraBundle;
      const { client, stderr } = await connectStdio(era, flags(bundle), script);
      try {
        expect(client.getProtocolEra()).toBe(lands);
        const tools = await client.listTools();
        if (script === 'paginated.mjs') {
          expect(tools.tools.map((t) => t.name)).toEqual(['tool_000', 'tool_001', 'add_note', 'tool_003', 'tool_004', 'tool_005']);
        } else {
          expect(tools.tools.map((t) => t.name)).toEqual(['echo', 'add']);
          const out = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
          expect(out.content).toEqual([{ type: 'text', text: 'hi' }]);
          // The signed server info, never another one.
          expect(client.getServerVersion()).toMatchObject({ name: 'fixture-era', version: '2.0.0' });
        }
      } finally {
        await client.close();
      }
      expect(stderr()).toContain(': accept;');
      // The auto client's disposable probe proxy and the session's proxy both exit, with their servers.
      await until(() => processesNaming(bundle).length === 0, 10_000, 'every proxy of this test to exit');
    }, 30_000);
  }

  it('a modern client and a 2025-only server: connect fails, saying the server does not speak 2026-07-28', async () => {
    const failed = await connectStdio('modern', flags(legacyBundle), 'paginated.mjs').then(() => undefined, (err: Error) => err);
    expect(failed?.message).toMatch(/2026-07-28/);
  }, 30_000);

  it('a 2025 client and a modern-only server: initialize fails with the versions the server supports', async () => {
    const failed = await connectStdio('legacy', flags(eraBundle), 'modern.mjs').then(() => undefined, (err: Error) => err);
    expect(failed?.message).toMatch(/toolseal: the server .* does not speak this client's protocol version .*it supports 2026-07-28/);
  }, 30_000);
});

describe('client profiles in the stateless guard: the client\'s own _meta capabilities decide what may be missing', () => {
  let profiled: string;
  beforeAll(async () => {
    // Signed with the full profile, holding one more tool than the server lists: a tool a server
    // shows only to clients that can sample, as server-everything does.
    const manifest = await captureServer(fixture('dual-era.mjs'), { profile: FULL_PROFILE, protocolEra: 'modern' });
    const withSampling = buildManifest({ ...manifest, tools: [...manifest.tools, { name: 'summarize', description: 'Summarizes with the client\'s model.', inputSchema: { type: 'object' } }] });
    const { bundle } = await bench.sign(withSampling);
    profiled = join(bench.dir, 'profiled.sigstore.json');
    await writeFile(profiled, JSON.stringify(bundle));
  }, 60_000);

  it('a v2 modern client that declares no capabilities gets the signed tools it is shown (block, match: exact)', async () => {
    const { client, stderr } = await connectStdio('modern', flags(profiled), 'dual-era.mjs');
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo', 'add']);
      expect(stderr()).toMatch(/not shown tools\/summarize/);
    } finally {
      await client.close();
    }
  }, 30_000);

  it('a v2 modern client that declares the whole signing profile is refused for the missing tool', async () => {
    const log = join(bench.dir, 'profiled-audit.jsonl');
    const transport = new StdioClientTransport({ ...proxyCommand([...flags(profiled), '--audit-log', log], 'dual-era.mjs'), env: stringEnv(), stderr: 'ignore' });
    const client = new Client({ name: 'full-client', version: '1.0.0' }, { capabilities: FULL_PROFILE.capabilities as never, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    try {
      // The guard verifies at server/discover; a pinned v2 client reports the refusal as its own negotiation failure.
      const refused = await client.connect(transport).then(() => client.listTools()).then(() => undefined, (err: Error) => err);
      expect(refused).toBeInstanceOf(Error);
    } finally {
      await client.close().catch(() => undefined);
    }
    const records = (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { event: string; decision?: string; reason?: string });
    expect(records.find((r) => r.event === 'verify')).toMatchObject({ decision: 'refuse', reason: expect.stringContaining('1 signed entries are missing (match: exact)') });
  }, 30_000);
});
