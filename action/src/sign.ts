import { join, resolve } from 'node:path';
import {
  describeTarget, InputError, prepareDestination, signedLines, signToFiles, storeGitHubAttestation,
  type AttestationStoreOptions, type ToolsealError,
} from '../../src/internal.js';
import type { ActionInputs } from './inputs.js';
import { launchTarget } from './launch.js';
import type { ModeResult, StepContext } from './main.js';
import { signSummary } from './summary.js';

/**
 * `mode: sign`. Everything that can be checked is checked before the signature, since a
 * keyless signature is a public log entry for good: every output path (its folder created),
 * the attestation store's settings, then the signer (no `id-token: write` fails here, before
 * a server starts), then capture, sign, write, and store.
 */
export async function sign(inputs: ActionInputs, context: StepContext): Promise<ModeResult> {
  const target = launchTarget(inputs, context.env);
  if (!target && inputs.manifestOutput !== undefined) throw new InputError('INPUT_INVALID', 'The input "manifest-output" is where a captured manifest goes; with "manifest" nothing is captured. Remove it, or name a server with "command" or "url" instead of "manifest".');
  const bundlePath = resolve(inputs.bundle);
  const manifestPath = target ? resolve(inputs.manifestOutput ?? join(context.tempDir, 'mcp-manifest.json')) : inputs.manifest && resolve(inputs.manifest);
  if (target && manifestPath === bundlePath) throw new InputError('INPUT_INVALID', `The inputs "bundle" and "manifest-output" name the same file, ${bundlePath}; give them different paths.`);
  await prepareDestination(bundlePath);
  if (target) await prepareDestination(manifestPath!);
  const store = inputs.storeAttestation ? attestationStore(inputs, context.env) : undefined;
  const files = await signToFiles({
    signer: {
      keyPath: inputs.signingKey, fulcioURL: inputs.fulcioURL, rekorURL: inputs.rekorURL, tsaURL: inputs.tsaURL,
      signingConfigPath: inputs.signingConfig, allowPublicLog: inputs.allowPublicLog, env: context.env,
    },
    source: {
      ...(inputs.manifest !== undefined ? { manifestPath: inputs.manifest } : {}),
      ...(target ? { target } : {}),
      ...(inputs.clientProfile !== undefined ? { clientProfile: inputs.clientProfile } : {}),
      exclude: inputs.exclude,
      artifacts: inputs.artifacts,
      capture: { ...inputs.capture, ...(inputs.dynamic.length > 0 ? { dynamic: inputs.dynamic } : {}) },
    },
    bundlePath,
    // A captured manifest is kept too: it is what a pull-request `check` compares against.
    manifestPath: target ? manifestPath : undefined,
  });
  const { manifest, result } = files;
  // A failed upload still leaves the written bundle in the outputs and the summary; then the step fails.
  const upload = store ? await storeGitHubAttestation(result.bundle, store).then((ok) => ({ ok }), (err: ToolsealError) => ({ err })) : undefined;
  const stored = upload && 'ok' in upload ? upload.ok : undefined;
  const signed = result.signedBy && 'issuer' in result.signedBy ? result.signedBy : undefined;
  return {
    outputs: {
      'bundle-path': bundlePath, 'manifest-digest': result.digest, 'manifest-path': manifestPath!,
      ...(stored ? { 'attestation-id': stored.id, 'attestation-url': stored.url } : {}),
    },
    summary: signSummary({
      manifest, digest: result.digest, signerText: result.signerText, bundlePath, source: target ? describeTarget(target) : manifestPath!,
      ...(signed ? { signer: signed } : {}), ...(result.logIndex !== undefined ? { logIndex: result.logIndex } : {}),
      ...(stored ? { attestationURL: stored.url } : {}),
    }),
    log: [...signedLines(files, bundlePath), ...(stored ? [`  stored     ${stored.url}`] : [])].join('\n'),
    ...(upload && 'err' in upload ? { failure: upload.err } : {}),
  };
}

/**
 * Settings for GitHub's attestation store, from the runner's variables and the token input,
 * checked before signing. A key-signed bundle has no certificate naming the workflow, which
 * is what `gh attestation verify` checks, so the store takes keyless bundles only.
 */
function attestationStore(inputs: ActionInputs, env: NodeJS.ProcessEnv): AttestationStoreOptions {
  if (inputs.signingKey) throw new InputError('INPUT_INVALID', 'The input "store-attestation" stores keyless bundles only (gh attestation verify checks the workflow identity in the certificate); remove it or sign keyless.');
  if (!inputs.githubToken) throw new InputError('INPUT_INVALID', 'The input "store-attestation" needs a token: leave "github-token" at its default (the job\'s github.token) and add "permissions: attestations: write".');
  if (!env.GITHUB_REPOSITORY) throw new InputError('INPUT_INVALID', 'The input "store-attestation" works in GitHub Actions only: GITHUB_REPOSITORY is not set.');
  return {
    apiURL: env.GITHUB_API_URL || 'https://api.github.com', serverURL: env.GITHUB_SERVER_URL || 'https://github.com',
    repository: env.GITHUB_REPOSITORY, token: inputs.githubToken,
    ...(inputs.timeoutMs !== undefined ? { timeoutMs: inputs.timeoutMs } : {}),
  };
}
