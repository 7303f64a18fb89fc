import {
  checkServer, describeTarget, diffAnnotations, InputError, manifestDigest, parseMatchMode, readManifestFile, readTextFile,
  renderDiff, VerificationError, type Manifest,
} from '../../src/internal.js';
import type { ActionInputs } from './inputs.js';
import { launchTarget } from './launch.js';
import type { ModeResult, StepContext } from './main.js';
import { checkSummary } from './summary.js';

/** `mode: check`: compares a live server with the committed `manifest`, no signature; drift is annotated on the manifest. */
export async function check(inputs: ActionInputs, context: StepContext): Promise<ModeResult> {
  if (inputs.manifest === undefined) throw new InputError('INPUT_INVALID', 'mode: check needs the input "manifest": the manifest file to compare the live server with.');
  const target = launchTarget(inputs, context.env);
  if (!target) throw new InputError('INPUT_INVALID', 'mode: check needs a live server: the input "command" or "url".');
  const match = parseMatchMode(inputs.match ?? 'exact');
  const expected: Manifest = await readManifestFile(inputs.manifest);
  const diff = await checkServer(expected, target, { match, ...inputs.capture });
  return {
    outputs: { 'manifest-digest': manifestDigest(expected), verified: String(diff.ok), diff: JSON.stringify(diff) },
    summary: checkSummary(expected, diff, inputs.manifest, describeTarget(target)),
    log: renderDiff(diff),
    ...(diff.equal ? {} : { annotations: { file: inputs.manifest, items: diffAnnotations(diff, await readTextFile(inputs.manifest), { side: 'before', other: 'the live server' }) } }),
    ...(diff.ok ? {} : {
      failure: new VerificationError('MANIFEST_DRIFT', `${describeTarget(target)} no longer matches ${inputs.manifest}; see the annotations, the job summary or the diff output for every change.`),
    }),
  };
}
