import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, captureServer, createLiveCheck, liveTarget, type Manifest } from '../../src/internal.js';
import { serverJson, startRegistry, startSigningBench, type SigningBench } from './audit.helpers.js';
import { startBundleHost, type BundleHost } from './audit.helpers.js';
import { startEverythingHttp, type RunningServer } from './capture-servers.helpers.js';

let bench: SigningBench;
let host: BundleHost;
let everything: RunningServer;

beforeAll(async () => {
  [bench, host, everything] = await Promise.all([startSigningBench(), startBundleHost(), startEverythingHttp()]);
});

afterAll(async () => {
  await Promise.all([host?.close(), everything?.stop(), bench?.sigstore.close()]);
});

/** A remote-only server.json (no npm package, so nothing is installed or run here). */
function remoteServer(name: string, bundle: string, url: string): Record<string, unknown> {
  return { ...serverJson(name, { bundle }), packages: [], remotes: [{ type: 'streamable-http', url }] };
}

describe('toolseal audit --live (server-everything over Streamable HTTP on loopback)', () => {
  it('verifies a server whose live lists match what was signed, and reports one that drifted', async () => {
    // Bound to its registry entry by the remote's URL (the entry has no package).
    const honest: Manifest = { ...(await captureServer({ kind: 'http', url: everything.url })), artifacts: [{ uri: everything.url }] };
    const drifted: Manifest = { ...honest, tools: honest.tools.map((t, i) => (i === 0 ? { ...t, description: `${t.description ?? ''} (signed text)` } : t)) };
    const down: Manifest = { ...honest, artifacts: [{ uri: 'http://127.0.0.1:9/mcp' }] };
    host.routes.set('/honest.json', { kind: 'ok', body: JSON.stringify((await bench.sign(honest)).bundle) });
    host.routes.set('/drifted.json', { kind: 'ok', body: JSON.stringify((await bench.sign(drifted)).bundle) });
    host.routes.set('/down.json', { kind: 'ok', body: JSON.stringify((await bench.sign(down)).bundle) });
    const registry = await startRegistry([
      remoteServer('io.github.acme/everything', `${host.url}/honest.json`, everything.url),
      remoteServer('io.github.acme/drifted', `${host.url}/drifted.json`, everything.url),
      // Bound by the URL too, but only an SSE remote: nothing --live can connect to.
      { ...serverJson('io.github.acme/nowhere', { bundle: `${host.url}/honest.json` }), packages: [], remotes: [{ type: 'sse', url: everything.url }] },
      remoteServer('io.github.acme/down', `${host.url}/down.json`, 'http://127.0.0.1:9/mcp'),
    ], 10);
    try {
      const report = await audit({ registry: registry.url, trustedRoot: bench.trustedRootPath, cacheDir: false, live: createLiveCheck({ requestTimeoutMs: 5000 }) });
      expect(report.servers.map((s) => [s.name, s.status, s.rule.id])).toEqual([
        ['io.github.acme/everything', 'verified', 'TSA000'],
        ['io.github.acme/drifted', 'mismatch', 'TSA103'],
        ['io.github.acme/nowhere', 'unreachable', 'TSA403'],
        ['io.github.acme/down', 'unreachable', 'TSA403'],
      ]);
      expect(report.servers[0]!.diff).toMatchObject({ equal: true, ok: true });
      expect(report.servers[1]!.diff!.changed.map((c) => c.key)).toEqual([honest.tools[0]!.name]);
      expect(report.servers[1]!.reason).toContain('1 changed');
    } finally {
      await registry.close();
    }
  });

  it('prefers a remote (nothing runs locally) and otherwise runs the npm package with npx from its registry', () => {
    const both = { name: 'a/b', version: '1', packages: [{ registryType: 'npm', identifier: '@a/b', version: '1.2.3' }], remotes: [{ type: 'streamable-http', url: 'https://a.example/mcp' }] };
    expect(liveTarget(both)).toEqual({ kind: 'http', url: 'https://a.example/mcp' });
    expect(liveTarget({ ...both, remotes: [{ type: 'streamable-http', url: 'https://{tenant}.example/mcp' }] })).toEqual({ kind: 'stdio', command: 'npx', args: ['-y', '@a/b@1.2.3'] });
    expect(liveTarget({ ...both, remotes: [], packages: [{ registryType: 'npm', identifier: '@a/b', version: '1.2.3', registryBaseUrl: 'https://npm.internal.example/' }] }))
      .toEqual({ kind: 'stdio', command: 'npx', args: ['-y', '--registry', 'https://npm.internal.example/', '@a/b@1.2.3'] });
    expect(liveTarget({ name: 'a/b', version: '1', packages: [{ registryType: 'pypi', identifier: 'x', version: '1' }] })).toBeUndefined();
  });
});
