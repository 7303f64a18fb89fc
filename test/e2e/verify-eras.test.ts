import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerdictSchema, type Verdict } from '../../src/index.js';
import { generateSigningKey } from '../../src/testing/index.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from './capture.helpers.js';
import { startEraHttp, type RunningServer } from './capture-servers.helpers.js';

const node = process.execPath;
const DUAL = join(FIXTURES, 'dual-era.mjs');
const MODERN = join(FIXTURES, 'modern.mjs');

describe('sign in one era, verify against a live server in the era it offers', () => {
  let dir: string;
  const running: RunningServer[] = [];
  const file = (name: string) => join(dir, name);

  async function verify(...args: string[]): Promise<{ code: number; verdict: Verdict; stderr: string }> {
    const run = await runCli(['verify', '--bundle', file('bundle.json'), '--key', file('key.pub.pem'), '--json', ...args]);
    return { code: run.code, verdict: VerdictSchema.parse(JSON.parse(run.stdout)), stderr: run.stderr };
  }

  async function modernHttp(env: Record<string, string> = {}): Promise<string> {
    const server = await startEraHttp('modern.mjs', env);
    running.push(server);
    return server.url;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolseal-verify-eras-'));
    const key = generateSigningKey();
    await writeFile(file('key.pem'), key.privateKeyPem);
    await writeFile(file('key.pub.pem'), key.publicKeyPem);
    // Signed from the dual-era server in the legacy era: what most publishers' CI does today.
    const signed = await runCli(['sign', '--key', file('key.pem'), '-o', file('bundle.json'), '--protocol-era', 'legacy', '--stdio', '--', node, DUAL]);
    expect(signed.stderr).toBe('');
    expect(signed.code).toBe(0);
  });
  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies a modern-only server over stdio (auto and modern)', async () => {
    for (const era of ['auto', 'modern']) {
      const { code, verdict } = await verify('--protocol-era', era, '--stdio', '--', node, MODERN);
      expect(verdict.problems).toEqual([]);
      expect(code).toBe(0);
      expect(verdict).toMatchObject({ ok: true, compared: 'live-server' });
      expect(verdict.diff?.equal).toBe(true);
    }
  });

  it('verifies a modern-only server over Streamable HTTP', async () => {
    const { code, verdict } = await verify('--url', await modernHttp());
    expect(verdict.problems).toEqual([]);
    expect(code).toBe(0);
  });

  it('refuses a modern server whose tool description was poisoned, with the diff (exit 1)', async () => {
    const { code, verdict } = await verify('--url', await modernHttp({ FIXTURE_POISON: '1' }));
    expect(code).toBe(1);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.map((p) => p.code)).toContain('ENTRY_CHANGED');
    expect(verdict.diff?.changed.map((c) => c.key)).toEqual(['echo']);
  });

  it('refuses a modern server whose server/discover names another server than the signed one (exit 1)', async () => {
    const run = await runCli(['verify', '--bundle', file('bundle.json'), '--key', file('key.pub.pem'), '--json', '--url', await modernHttp({ FIXTURE_SERVER_NAME: 'fixture-era-2' })]);
    expect(run.code).toBe(1);
    const refused = VerdictSchema.parse(JSON.parse(run.stdout));
    expect(refused.diff?.server).toEqual([{ path: '/server/name', before: 'fixture-era', after: 'fixture-era-2', kind: 'structural' }]);
  });

  it('says clearly when the era asked for is not what the server speaks (exit 2)', async () => {
    const run = await runCli(['verify', '--bundle', file('bundle.json'), '--key', file('key.pub.pem'), '--protocol-era', 'legacy', '--stdio', '--', node, MODERN]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^toolseal: error \[PROTOCOL_ERA_UNAVAILABLE\]: .*speaks only MCP 2026-07-28/);
  });
});
