import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  checkServer, InputError, manifestDigest, createManifestVerifier, createSigner, describeTarget,
  manifestToSign, parseMatchMode, readJsonFile, readManifestFile, renderDiff, renderVerdict,
  resolvePolicy, serverTargetFrom, signManifest, trustSourceFromPolicy, VerificationError, writeFileAtomic,
  type Manifest, type ServerTarget,
} from '../../src/index.js';
import { readInputs, type ActionInputs } from './inputs.js';
import { appendSummary, logUntrusted, writeOutputs } from './runner-files.js';
import { checkSummary, signSummary, verifySummary } from './summary.js';

/** What one mode produced: step outputs, the job summary, the log text, and whether the step passes. */
interface ModeResult {
  outputs: Record<string, string>;
  summary: string;
  log: string;
  /** When set, the step fails with this verdict after outputs and summary are written. */
  failure?: VerificationError;
}

/** Where the runner lets a step keep files; `$RUNNER_TEMP` on a runner. */
interface StepContext {
  env: NodeJS.ProcessEnv;
  tempDir: string;
  write: (text: string) => void;
}

/**
 * The Action: reads the inputs, runs the mode through the library, writes outputs, the job
 * summary and the log. Throws (for `index.ts`'s one `catch`) when the step must fail: a
 * verdict after everything was written, or an error that stopped it from running.
 */
export async function run(env: NodeJS.ProcessEnv, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<void> {
  const inputs = readInputs(env);
  const context: StepContext = { env, tempDir: join(env.RUNNER_TEMP || tmpdir(), 'toolseal'), write };
  const result = inputs.mode === 'sign' ? await sign(inputs, context)
    : inputs.mode === 'verify' ? await verify(inputs, context)
    : await check(inputs, context);
  await writeOutputs(env.GITHUB_OUTPUT, result.outputs);
  await appendSummary(env.GITHUB_STEP_SUMMARY, result.summary);
  logUntrusted(write, result.log);
  if (result.failure) throw result.failure;
}

async function sign(inputs: ActionInputs, context: StepContext): Promise<ModeResult> {
  // The signer first: a job without `id-token: write` fails at once, before a server is spawned.
  const signer = await createSigner({
    ...(inputs.signingKey ? { keyPath: inputs.signingKey } : {}),
    ...(inputs.fulcioURL ? { fulcioURL: inputs.fulcioURL } : {}),
    ...(inputs.rekorURL ? { rekorURL: inputs.rekorURL } : {}),
    ...(inputs.tsaURL ? { tsaURL: inputs.tsaURL } : {}),
    ...(inputs.signingConfig ? { signingConfigPath: inputs.signingConfig } : {}),
    env: context.env,
  });
  const target = serverTargetFrom(inputs.server);
  const manifest = await manifestToSign({
    ...(inputs.manifest !== undefined ? { manifestPath: inputs.manifest } : {}),
    ...(target ? { target } : {}),
    ...(inputs.clientProfile !== undefined ? { clientProfile: inputs.clientProfile } : {}),
    exclude: inputs.exclude,
    artifacts: inputs.artifacts,
    capture: timeout(inputs),
  });
  const result = await signManifest(manifest, signer);
  const bundlePath = resolve(inputs.bundle);
  await writeFileAtomic(bundlePath, `${JSON.stringify(result.bundle, null, 2)}\n`);
  // A captured manifest is kept too: it is what a pull-request `check` compares against.
  const manifestPath = target ? resolve(inputs.manifestOutput ?? join(context.tempDir, 'mcp-manifest.json')) : resolve(inputs.manifest!);
  if (target) await writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  const signed = result.signedBy && 'issuer' in result.signedBy ? result.signedBy : undefined;
  const signerText = result.signerText;
  return {
    outputs: { 'bundle-path': bundlePath, 'manifest-digest': result.digest, 'manifest-path': manifestPath },
    summary: signSummary({
      manifest, digest: result.digest, signerText, bundlePath, source: target ? describeTarget(target) : manifestPath,
      ...(signed ? { signer: signed } : {}), ...(result.logIndex !== undefined ? { logIndex: result.logIndex } : {}),
    }),
    log: [
      `Signed ${manifest.server.name} ${manifest.server.version} (${manifest.tools.length} tools) -> ${bundlePath}`,
      `  manifest   ${result.digest}`,
      `  signed by  ${signerText}`,
      ...(result.logIndex !== undefined ? [`  logged     index ${result.logIndex}`] : []),
    ].join('\n'),
  };
}

async function verify(inputs: ActionInputs, context: StepContext): Promise<ModeResult> {
  const target = serverTargetFrom(inputs.server);
  if (target && inputs.manifest !== undefined) throw new InputError('INPUT_INVALID', 'mode: verify compares the signed manifest with either a live server ("command" or "url") or a manifest file ("manifest"), not both.');
  const policy = await resolvePolicy(inputs.policy);
  const verifier = await createManifestVerifier({ policy, trustSource: trustSourceFromPolicy(policy.trust, { cacheDir: join(context.tempDir, 'tuf') }) });
  const bundlePath = resolve(inputs.bundle);
  const bundle = await readJsonFile(bundlePath);
  const liveManifest = inputs.manifest !== undefined ? await readManifestFile(inputs.manifest) : undefined;
  const verdict = target ? await verifier.verifyServer(bundle, target, timeout(inputs)) : verifier.verify(bundle, liveManifest, inputs.bundle);
  const signed = verdict.manifestDigest ? verifier.verifyAttestation(bundle, inputs.bundle).manifest : undefined;
  const source = target ? describeTarget(target) : inputs.manifest ?? 'nothing (bundle only)';
  return {
    outputs: {
      'bundle-path': bundlePath,
      verified: String(verdict.ok),
      ...(verdict.manifestDigest ? { 'manifest-digest': verdict.manifestDigest } : {}),
      ...(verdict.diff ? { diff: JSON.stringify(verdict.diff) } : {}),
    },
    summary: verifySummary(verdict, signed, source),
    log: renderVerdict(verdict),
    ...(verdict.ok ? {} : {
      failure: new VerificationError('VERIFICATION_FAILED', `${inputs.bundle} did not verify: ${verdict.problems.map((p) => `[${p.code}] ${p.message}`).join(' ')}`),
    }),
  };
}

async function check(inputs: ActionInputs, _context: StepContext): Promise<ModeResult> {
  if (inputs.manifest === undefined) throw new InputError('INPUT_INVALID', 'mode: check needs the input "manifest": the manifest file to compare the live server with.');
  const target = requireTarget(serverTargetFrom(inputs.server));
  const match = parseMatchMode(inputs.match ?? 'exact');
  const expected: Manifest = await readManifestFile(inputs.manifest);
  const diff = await checkServer(expected, target, { match, ...timeout(inputs) });
  return {
    outputs: { 'manifest-digest': manifestDigest(expected), verified: String(diff.ok), diff: JSON.stringify(diff) },
    summary: checkSummary(expected, diff, inputs.manifest, describeTarget(target)),
    log: renderDiff(diff),
    ...(diff.ok ? {} : {
      failure: new VerificationError('MANIFEST_DRIFT', `${describeTarget(target)} no longer matches ${inputs.manifest}; see the job summary or the diff output for every change.`),
    }),
  };
}

function requireTarget(target: ServerTarget | undefined): ServerTarget {
  if (!target) throw new InputError('INPUT_INVALID', 'mode: check needs a live server: the input "command" or "url".');
  return target;
}

function timeout(inputs: ActionInputs): { requestTimeoutMs?: number } {
  return inputs.timeoutMs !== undefined ? { requestTimeoutMs: inputs.timeoutMs } : {};
}
