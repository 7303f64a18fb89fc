import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT } from './capture-helpers.js';
import { fixture } from './guard.helpers.js';
import { CLI, identityFlags, signTarget, startSigningBench, type SigningBench } from './proxy.helpers.js';
import { startListening } from './proxy-modern.helpers.js';

const run = promisify(execFile);
// The Inspector's CLI as npm installs it (its postinstall only matters in a source checkout).
const INSPECTOR = join(ROOT, 'node_modules', '@modelcontextprotocol', 'inspector', 'clients', 'launcher', 'build', 'index.js');
const ERAS = ['modern', 'auto', 'legacy'] as const;

let bench: SigningBench;
let bundle: string;

beforeAll(async () => {
  bench = await startSigningBench();
  // Signed clean; the servers below run with FIXTURE_POISON=1, so the filter hides echo.
  bundle = (await signTarget(bench, fixture('dual-era.mjs'), 'era.sigstore.json')).path;
}, 60_000);

afterAll(async () => {
  await bench?.sigstore.close();
});

/** `mcp-inspector --cli --protocol-era ERA ARGS -- TARGET...`, parsed; a stdio target runs with FIXTURE_POISON=1 (the Inspector passes only what -e names). */
async function inspect(era: string, args: string[], target: string[]): Promise<Record<string, any>> {
  const { stdout } = await run(process.execPath, [INSPECTOR, '--cli', '--protocol-era', era, '-e', 'FIXTURE_POISON=1', ...args, '--', ...target], { timeout: 60_000, env: { ...process.env, FIXTURE_POISON: '1' } });
  return JSON.parse(stdout) as Record<string, any>;
}

describe('the MCP Inspector CLI through toolseal proxy, in every --protocol-era', () => {
  const server = [process.execPath, join(FIXTURES, 'dual-era.mjs')];
  for (const era of ERAS) {
    it(`${era}: over stdio it lists what the server lists directly, minus the poisoned tool the filter hides, and calls`, async () => {
      const proxied = [process.execPath, CLI, 'proxy', '--bundle', bundle, ...identityFlags(bench), '--enforce', 'filter', '--', ...server];
      const [direct, through] = await Promise.all([inspect(era, ['--method', 'tools/list'], server), inspect(era, ['--method', 'tools/list'], proxied)]);
      expect(direct.tools.map((t: { name: string }) => t.name)).toEqual(['echo', 'add']);
      expect(through.tools).toEqual(direct.tools.filter((t: { name: string }) => t.name !== 'echo'));
      const call = await inspect(era, ['--method', 'tools/call', '--tool-name', 'add', '--tool-arg', 'a=2', 'b=40'], proxied);
      expect(call.content).toEqual([{ type: 'text', text: '42' }]);
    }, 90_000);
  }

  it('over Streamable HTTP (toolseal proxy --listen), modern and legacy', async () => {
    const proxy = await startListening(['--bundle', bundle, ...identityFlags(bench), '--enforce', 'filter'], 'dual-era.mjs', { FIXTURE_POISON: '1' });
    try {
      for (const era of ['modern', 'legacy']) {
        const listed = await inspect(era, ['--method', 'tools/list'], [proxy.url]);
        expect(listed.tools.map((t: { name: string }) => t.name)).toEqual(['add']);
      }
    } finally {
      await proxy.stop();
    }
  }, 90_000);
});
