import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from './guard.helpers.js';
import { identityFlags, signTarget, startSigningBench, type SigningBench } from './proxy.helpers.js';
import { connectStdio } from './proxy-modern.helpers.js';

let bench: SigningBench;
let eraBundle: string;

beforeAll(async () => {
  bench = await startSigningBench();
  // The dual-era server's entries are the same in both eras: its 2025 capture signs the modern-only server too.
  eraBundle = (await signTarget(bench, fixture('dual-era.mjs'), 'era.sigstore.json', 'acme/weather-mcp')).path;
}, 60_000);

afterAll(async () => {
  await bench?.sigstore.close();
});

describe('toolseal proxy over stdio, 2026-07-28 clients', () => {
  for (const script of ['modern.mjs', 'dual-era.mjs']) {
    it(`a pinned modern v2 client lists and calls through the proxy (${script})`, async () => {
      const { client, stderr } = await connectStdio('modern', ['--bundle', eraBundle, ...identityFlags(bench)], script);
      try {
        expect(client.getProtocolEra()).toBe('modern');
        const tools = await client.listTools();
        expect(tools.tools.map((t) => t.name)).toEqual(['echo', 'add']);
        const out = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
        expect(out.content).toEqual([{ type: 'text', text: 'hi' }]);
      } finally {
        await client.close();
      }
      expect(stderr()).toContain('accept');
    }, 30_000);
  }
});
