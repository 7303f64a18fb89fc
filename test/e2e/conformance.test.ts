import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  embeddedPublicGoodSource, identityPolicyOf, parseStrictJson, policyFromFlags, ToolsealError, trustedRootFileSource,
  verifyBundle, type ArtifactInput,
} from '../../src/internal.js';
import { runCli } from '../helpers/cli.js';
import { at, cases, IDENTITY, ISSUER, VECTORS } from './conformance.helpers.js';

const fileOr = (name: string, file: string, fallback: string): string => (existsSync(at(name, file)) ? at(name, file) : fallback);
const artifactOf = (name: string): string => fileOr(name, 'artifact', join(VECTORS, 'a.txt'));

/** The conformance harness's materials, turned into the flags toolseal's CLI gets. */
function flagsOf(name: string): string[] {
  const identity = existsSync(at(name, 'key.pub'))
    ? ['--key', at(name, 'key.pub')]
    : ['--certificate-identity', existsSync(at(name, 'identity')) ? readFileSync(at(name, 'identity'), 'utf8').trim() : IDENTITY,
      '--certificate-oidc-issuer', existsSync(at(name, 'issuer')) ? readFileSync(at(name, 'issuer'), 'utf8').trim() : ISSUER];
  const trust = existsSync(at(name, 'trusted_root.json')) ? ['--trusted-root', at(name, 'trusted_root.json')] : ['--offline'];
  return [...identity, ...trust];
}

/** Verifies one case through the library; resolves to the error code, or 'OK'. */
async function verifyCase(name: string, artifact: ArtifactInput): Promise<string> {
  try {
    const policy = await policyFromFlags(existsSync(at(name, 'key.pub'))
      ? { key: at(name, 'key.pub') }
      : { certificateIdentity: IDENTITY, certificateOidcIssuer: ISSUER });
    const source = existsSync(at(name, 'trusted_root.json')) ? trustedRootFileSource(at(name, 'trusted_root.json')) : embeddedPublicGoodSource();
    const bundle = parseStrictJson(readFileSync(at(name, 'bundle.sigstore.json'), 'utf8'), name);
    verifyBundle(bundle, { identity: identityPolicyOf(policy), trust: await source.load(), trustDescription: source.description, artifact });
    return 'OK';
  } catch (err) {
    // Failing for the wrong reason (a crash) would not count: every refusal is a ToolsealError.
    expect(err, `${name}: ${(err as Error).message}`).toBeInstanceOf(ToolsealError);
    return (err as ToolsealError).code;
  }
}

describe('sigstore-conformance bundle-verify vectors', () => {
  it('has the 70 cases', () => {
    expect(cases.length).toBe(70);
  });

  for (const mode of ['file', 'digest'] as const) {
    it(`every case gives the expected result through the library (artifact as ${mode})`, async () => {
      const wrong: string[] = [];
      for (const name of cases) {
        const bytes = new Uint8Array(readFileSync(artifactOf(name)));
        const artifact = mode === 'file' ? bytes : { sha256: createHash('sha256').update(bytes).digest('hex') };
        const code = await verifyCase(name, artifact);
        if ((code === 'OK') === name.endsWith('_fail')) wrong.push(`${name} → ${code}`);
      }
      process.stdout.write(`conformance (${mode}): ${cases.length - wrong.length}/${cases.length} cases gave the expected result\n`);
      expect(wrong).toEqual([]);
    });
  }

  it('rejects a trusted root whose tlog lacks validFor.start (sigstore-js alone accepts it)', async () => {
    expect(await verifyCase('trust-root-tlog-missing-validity-start_fail', new Uint8Array(readFileSync(join(VECTORS, 'a.txt')))))
      .toBe('TRUSTED_ROOT_INVALID');
  });

  it('every case gives the expected result through the built CLI, as the conformance harness runs it', async () => {
    const exitOf = async (name: string): Promise<number> => (await runCli(['verify-bundle', '--bundle', at(name, 'bundle.sigstore.json'), ...flagsOf(name), artifactOf(name)])).code;
    const wrong: string[] = [];
    const queue = [...cases];
    // Four at a time: each run is a whole CLI process.
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const code = await exitOf(name);
        // The harness only distinguishes zero from non-zero; toolseal also keeps 1 and 2 apart.
        if ((code === 0) === name.endsWith('_fail') || ![0, 1, 2].includes(code)) wrong.push(`${name} → exit ${code}`);
      }
    }));
    process.stdout.write(`conformance (toolseal verify-bundle): ${cases.length - wrong.length}/${cases.length} cases gave the expected result\n`);
    expect(wrong).toEqual([]);
  }, 420_000); // 70 runs of the built CLI, four at a time: minutes on a loaded machine

  const viaCli: [string, number][] = [
    ['happy-path-v0.3', 0], ['rekor2-happy-path', 0], ['rekor2-dsse-happy-path', 0], ['managed-key-happy-path', 0],
    ['managed-key-no-key_fail', 1], ['signature-mismatch_fail', 1], ['bundle-from-wrong-instance_fail', 1],
    ['trust-root-tlog-missing-validity-start_fail', 2], ['bundle-malformed-json_fail', 2],
  ];
  for (const [name, exitCode] of viaCli) {
    it(`CLI: toolseal verify-bundle ${name} exits ${exitCode}`, async () => {
      const run = await runCli(['verify-bundle', '--bundle', at(name, 'bundle.sigstore.json'), ...flagsOf(name), artifactOf(name)]);
      expect(run.code).toBe(exitCode);
    });
  }

  it('CLI: accepts the artifact as sha256:DIGEST', async () => {
    const digest = createHash('sha256').update(readFileSync(join(VECTORS, 'a.txt'))).digest('hex');
    const name = 'rekor2-happy-path';
    const run = await runCli(['verify-bundle', '--bundle', at(name, 'bundle.sigstore.json'), ...flagsOf(name), `sha256:${digest}`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Verified: signed by ${IDENTITY}`);
  });
});
