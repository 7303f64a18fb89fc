import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifestFile } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { runAction } from './action.helpers.js';
import { ROOT } from './capture.helpers.js';

// The real server-postgres with no database reachable: its resources are the user's data.
const POSTGRES = JSON.stringify([join(ROOT, 'node_modules', '.bin', 'mcp-server-postgres'), 'postgresql://127.0.0.1:1/none']);

describe('the Action: dynamic lists, and trust chosen as the CLI chooses it', () => {
  let work: string;
  const file = (name: string) => join(work, name);

  let signRun: Awaited<ReturnType<typeof runAction>>;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'toolseal-action-trust-'));
    expect((await runCli(['keygen', file('key')])).code).toBe(0);
    // One bundle for every test below, made here so no test depends on another.
    signRun = await runAction({ mode: 'sign', command: POSTGRES, dynamic: 'resources', key: file('key.pem'), 'manifest-output': 'pg.json', bundle: 'pg.sigstore.json' }, {}, work);
  }, 60_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('sign with `dynamic: resources` records the list as dynamic and does not fail on its error', async () => {
    expect(signRun.errors).toEqual([]);
    expect(signRun.code).toBe(0);
    const manifest = await readManifestFile(file('pg.json'));
    expect(manifest.dynamic).toEqual(['resources']);
    expect(manifest.tools.map((t) => t.name)).toEqual(['query']);
  });

  it('verify with a `key` pin on public-good needs no TUF: it passes with no network and no trusted-root', async () => {
    // The runner's temp folder is new, so there is no TUF cache, and this machine reaches no mirror.
    const run = await runAction({ mode: 'verify', command: POSTGRES, bundle: 'pg.sigstore.json', key: file('key.pub.pem') }, {}, work);
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.verified).toBe('true');
    expect(run.stdout).toContain('not signed resources (dynamic');
    // TUF was never asked: it would have created its cache folder (timing is bench/'s job).
    expect(existsSync(join(run.runnerTemp, 'toolseal', 'tuf'))).toBe(false);
  });

  it('verify with `refuse-dynamic-lists: true` refuses that manifest (exit 1, DYNAMIC_LISTS_REFUSED)', async () => {
    const run = await runAction({ mode: 'verify', bundle: 'pg.sigstore.json', key: file('key.pub.pem'), 'refuse-dynamic-lists': 'true' }, {}, work);
    expect(run.code).toBe(1);
    expect(run.outputs.verified).toBe('false');
    expect(run.errors[0]).toContain('[DYNAMIC_LISTS_REFUSED]');
  });

  it('refuses `dynamic` naming tools, `dynamic` with a manifest file, and a file that is not a bundle, each before anything runs', async () => {
    const tools = await runAction({ mode: 'sign', command: POSTGRES, dynamic: 'tools', key: file('key.pem') }, {}, work);
    expect(tools.code).toBe(1);
    expect(tools.errors[0]).toContain('[DYNAMIC_LIST_INVALID]: The input "dynamic" takes resources or resourceTemplates, not "tools"');
    const withFile = await runAction({ mode: 'sign', manifest: 'pg.json', dynamic: 'resources', key: file('key.pem'), bundle: 'again.sigstore.json' }, {}, work);
    expect(withFile.code).toBe(1);
    expect(withFile.errors[0]).toContain('[SIGN_SOURCE_INVALID]: dynamic lists apply when capturing a server');
    const notBundle = await runAction({ mode: 'verify', bundle: 'pg.json', 'certificate-identity': 'x@example.com', 'certificate-oidc-issuer': 'https://issuer.example' }, {}, work);
    expect(notBundle.code).toBe(1);
    expect(notBundle.errors[0]).toContain('[BUNDLE_MALFORMED]');
  });
});
