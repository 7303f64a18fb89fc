import { join, resolve } from 'node:path';
import {
  assertSigstoreBundle, createManifestVerifier, describeTarget, diffAnnotations, InputError, readJsonFile, readManifestFile,
  readTextFile, renderVerdict, resolvePolicy, trustSourceForPolicy, VerificationError,
} from '../../src/internal.js';
import type { ActionInputs } from './inputs.js';
import { launchTarget } from './launch.js';
import type { ModeResult, StepContext } from './main.js';
import { verifySummary } from './summary.js';

/** `mode: verify`: who signed `bundle`, and, when given, whether a live server or a manifest file matches it. */
export async function verify(inputs: ActionInputs, context: StepContext): Promise<ModeResult> {
  const target = launchTarget(inputs, context.env);
  if (target && inputs.manifest !== undefined) throw new InputError('INPUT_INVALID', 'mode: verify compares the signed manifest with either a live server ("command" or "url") or a manifest file ("manifest"), not both.');
  const policy = await resolvePolicy(inputs.policy);
  const bundlePath = resolve(inputs.bundle);
  // The bundle before the trust material, as the CLI does: a wrong file should not wait for the network.
  const bundle = await readJsonFile(bundlePath);
  assertSigstoreBundle(bundle, inputs.bundle);
  // The CLI's choice of trust: a pinned key on public-good needs no TUF, so it touches no network.
  const verifier = await createManifestVerifier({ policy, trustSource: trustSourceForPolicy(policy, { cacheDir: join(context.tempDir, 'tuf'), offline: inputs.offline }) });
  const compared = inputs.manifest !== undefined ? await readManifestFile(inputs.manifest) : undefined;
  const verdict = target
    ? await verifier.verifyServer(bundle, target, inputs.capture)
    : verifier.verify(bundle, compared, inputs.bundle);
  const signed = verdict.attestation?.manifest;
  const drifted = inputs.manifest !== undefined && verdict.diff && !verdict.diff.equal;
  return {
    outputs: {
      'bundle-path': bundlePath,
      verified: String(verdict.ok),
      ...(verdict.manifestDigest ? { 'manifest-digest': verdict.manifestDigest } : {}),
      ...(verdict.diff ? { diff: JSON.stringify(verdict.diff) } : {}),
    },
    summary: verifySummary(verdict, signed, target ? describeTarget(target) : inputs.manifest ?? 'nothing (bundle only)'),
    log: renderVerdict(verdict),
    ...(drifted ? { annotations: { file: inputs.manifest!, items: diffAnnotations(verdict.diff!, await readTextFile(inputs.manifest!), { side: 'after', other: 'the signed manifest' }) } } : {}),
    ...(verdict.ok ? {} : {
      failure: new VerificationError('VERIFICATION_FAILED', `${inputs.bundle} did not verify: ${verdict.problems.map((p) => `[${p.code}] ${p.message}`).join(' ')}`),
    }),
  };
}
