import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildManifest, compareManifests, withoutDynamicEntries, type Manifest } from '../../src/internal.js';
import { runCli } from '../helpers/cli.js';
import { sampleManifest } from '../helpers/manifests.js';
import { ROOT } from './capture.helpers.js';
import { connectProxy } from './proxy.helpers.js';

// Two official servers whose resources are the user's data and cannot be listed here:
// server-postgres with no database reachable, server-gdrive with dummy credentials and no network.
let dir: string;
const BIN = (name: string): string => join(ROOT, 'node_modules', '.bin', name);
const servers = (): Array<{ name: string; launch: string[]; command: string[]; tool: string }> => [
  { name: 'postgres', launch: [], command: [BIN('mcp-server-postgres'), 'postgresql://127.0.0.1:1/none'], tool: 'query' },
  { name: 'gdrive', launch: ['--env', `GDRIVE_CREDENTIALS_PATH=${join(dir, 'gdrive.json')}`], command: [BIN('mcp-server-gdrive')], tool: 'search' },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'toolseal-dynamic-'));
  writeFileSync(join(dir, 'gdrive.json'), JSON.stringify({ access_token: 'dummy-access', refresh_token: 'dummy-refresh', token_type: 'Bearer', expiry_date: 4102444800000 }));
  expect((await runCli(['keygen', join(dir, 'key')])).code).toBe(0);
});

describe('--dynamic resources with real servers whose resources are the user\'s data', () => {
  for (const s of [{ name: 'postgres' }, { name: 'gdrive' }]) {
    it(`${s.name}: captured, signed with a key, verified live and served through the proxy`, async () => {
      const server = servers().find((x) => x.name === s.name)!;
      const manifest = join(dir, `${server.name}.json`);
      const bundle = join(dir, `${server.name}.sigstore.json`);
      // Without --dynamic the capture fails on resources/list, as it always did.
      const strict = await runCli(['capture', '--stdio', ...server.launch, '--', ...server.command]);
      expect(strict.code).toBe(2);
      expect(strict.stderr).toContain('resources/list');

      const capture = await runCli(['capture', '--dynamic', 'resources', '-o', manifest, '--stdio', ...server.launch, '--', ...server.command]);
      expect(capture.code, capture.stderr).toBe(0);
      expect(capture.stderr).toMatch(/could not list resources \(.*\); they are dynamic \(not signed\), so the capture goes on without them\./);
      const m = JSON.parse(readFileSync(manifest, 'utf8')) as Manifest;
      expect(m.dynamic).toEqual(['resources']);
      expect(m.resources).toEqual([]);
      expect(m.tools.map((t) => t.name)).toContain(server.tool);

      expect((await runCli(['sign', '--key', join(dir, 'key.pem'), '--manifest', manifest, '-o', bundle])).code).toBe(0);
      const verify = await runCli(['verify', '--bundle', bundle, '--key', join(dir, 'key.pub.pem'), '--stdio', ...server.launch, '--', ...server.command]);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
      expect(verify.stdout).toContain('not signed resources (dynamic');

      const auditLog = join(dir, `${server.name}.audit.jsonl`);
      const env = Object.fromEntries(server.launch.length ? [server.launch[1]!.split('=') as [string, string]] : []);
      const p = await connectProxy(['--bundle', bundle, '--key', join(dir, 'key.pub.pem'), '--audit-log', auditLog], { command: server.command[0]!, args: server.command.slice(1), env });
      try {
        expect((await p.client.listTools()).tools.map((t) => t.name)).toEqual(m.tools.map((t) => t.name));
        expect((await p.client.listResources()).resources).toEqual([]);
      } finally {
        await p.client.close();
      }
      const records = readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; decision: string; reason?: string });
      expect(records.find((r) => r.event === 'verify' && r.decision === 'accept')?.reason).toContain('not signed: resources');
    }, 90_000);
  }

  it('a policy with refuseDynamicLists refuses such a manifest (exit 1)', async () => {
    // Its own signed manifest with a dynamic list, so the test does not need the capture tests above.
    const manifest = join(dir, 'refused-dynamic.json');
    const bundle = join(dir, 'refused-dynamic.sigstore.json');
    writeFileSync(manifest, JSON.stringify(sampleManifest({ resources: [], dynamic: ['resources'] })));
    expect((await runCli(['sign', '--key', join(dir, 'key.pem'), '--manifest', manifest, '-o', bundle])).code).toBe(0);
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ version: 1, identity: { keys: [join(dir, 'key.pub.pem')] }, refuseDynamicLists: true }));
    const run = await runCli(['verify', '--bundle', bundle, '--policy', join(dir, 'policy.json')]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain('[DYNAMIC_LISTS_REFUSED]');
    // The same from the command line, on top of inline pins (or of a policy file that does not say it).
    const flag = await runCli(['verify', '--bundle', bundle, '--key', join(dir, 'key.pub.pem'), '--refuse-dynamic-lists']);
    expect(flag.code, flag.stdout + flag.stderr).toBe(1);
    expect(flag.stdout).toContain('[DYNAMIC_LISTS_REFUSED]');
    const proxy = await runCli(['proxy', '--bundle', bundle, '--key', join(dir, 'key.pub.pem'), '--refuse-dynamic-lists', '--', process.execPath, '-e', '']);
    expect(proxy.code, proxy.stderr).toBe(1);
    expect(proxy.stderr).toContain('DYNAMIC_LISTS_REFUSED');
  });

  it('--dynamic takes only resources or resourceTemplates', async () => {
    const run = await runCli(['capture', '--dynamic', 'tools', '--stdio', '--', process.execPath, '-e', '']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--dynamic takes resources or resourceTemplates, not "tools"; tools and prompts are instructions to the model and are always signed.');
    expect(run.stderr).toContain('[DYNAMIC_LIST_INVALID]');
  });
});

describe('compare: a dynamic list is not compared but still scanned', () => {
  const base = (resources: object[]): Manifest => buildManifest({
    server: { name: 'files', version: '1.0.0' },
    capture: { protocolVersion: '2025-11-25', clientProfile: 'bare', clientCapabilities: {} },
    tools: [{ name: 'read', description: 'Reads a file.' }],
    resources, dynamic: ['resources'],
  });
  it('other entries on the live side are no change; hidden Unicode in them is still found', () => {
    const signed = withoutDynamicEntries(base([{ uri: 'file:///signer-machine.txt', name: 'x' }]));
    expect(signed.resources).toEqual([]);
    const live = base([{ uri: 'file:///a.txt', name: 'a' }, { uri: 'file:///b.txt', name: 'b\u{E0041}\u{E0042}' }]);
    const diff = compareManifests(signed, live);
    expect(diff.ok).toBe(true);
    expect(diff.added).toEqual([]);
    expect(diff.hiddenUnicode.map((f) => f.path)).toEqual([expect.stringMatching(/^\/resources\/file:~1~1~1b\.txt\/name/)]);
  });
  it('a live capture that does not declare the same dynamic lists differs at /dynamic', () => {
    const { dynamic: _drop, ...notDynamic } = base([]);
    const diff = compareManifests(base([]), notDynamic as Manifest);
    expect(diff.server.map((c) => c.path)).toEqual(['/dynamic']);
    expect(diff.ok).toBe(false);
  });
});
