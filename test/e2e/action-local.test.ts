import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureServer, ManifestDiffSchema, manifestDigest, type Manifest } from '../../src/internal.js';
import { parseOutputs } from './action.helpers.js';
import { EVERYTHING_BIN, ROOT } from './capture.helpers.js';

const LOCAL_ACTION = join(ROOT, 'node_modules', '@github', 'local-action', 'bin', 'local-action.js');
const EVERYTHING = realpathSync(EVERYTHING_BIN);

/** `local-action run action dist/local.js ENV_FILE`, as docs/action.md tells a publisher to run it, from the repository root. */
function localAction(envFile: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LOCAL_ACTION, 'run', 'action', 'dist/local.js', envFile], { cwd: ROOT, timeout: 240_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout: stdout + stderr });
    });
  });
}

describe("GitHub's local runner (@github/local-action) over action/dist/local.js", () => {
  let work: string;
  let manifest: Manifest;
  const envFile = async (name: string, manifestFile: string) => {
    const file = join(work, name);
    await Promise.all([writeFile(join(work, `${name}.out`), ''), writeFile(join(work, `${name}.md`), '')]);
    await writeFile(file, [
      'INPUT_MODE=check', `INPUT_COMMAND=${process.execPath} ${EVERYTHING}`, `INPUT_MANIFEST=${manifestFile}`,
      `GITHUB_OUTPUT=${join(work, `${name}.out`)}`, `GITHUB_STEP_SUMMARY=${join(work, `${name}.md`)}`, '',
    ].join('\n'));
    return file;
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'toolseal-local-action-'));
    manifest = await captureServer({ kind: 'stdio', command: process.execPath, args: [EVERYTHING] });
    await writeFile(join(work, 'manifest.json'), JSON.stringify(manifest, null, 2));
    const drifted = structuredClone(manifest);
    drifted.tools.find((t) => t.name === 'echo')!.description = 'Echoes back the input (edited)';
    await writeFile(join(work, 'drifted.json'), JSON.stringify(drifted, null, 2));
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('imports the entry, calls its run(), and the step writes its outputs and summary', async () => {
    const run = await localAction(await envFile('same.env', join(work, 'manifest.json')));
    expect(run.stdout).not.toContain('does not export a run() function');
    expect(run.stdout).toContain('Running Action');
    expect(run.stdout).toContain('OK (match: exact): manifests are equal');
    expect(run.code).toBe(0);
    const outputs = parseOutputs(await readFile(join(work, 'same.env.out'), 'utf8'));
    expect(outputs).toMatchObject({ verified: 'true', 'manifest-digest': manifestDigest(manifest) });
    expect(await readFile(join(work, 'same.env.md'), 'utf8')).toContain('matches its manifest');
  });

  it('fails the run on drift, with the annotation on the manifest', async () => {
    const run = await localAction(await envFile('drift.env', join(work, 'drifted.json')));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error file=[^,]*drifted\.json,line=\d+,title=toolseal%3A tools\/echo changed::/);
    const outputs = parseOutputs(await readFile(join(work, 'drift.env.out'), 'utf8'));
    expect(ManifestDiffSchema.parse(JSON.parse(outputs.diff!)).changed.map((c) => c.key)).toEqual(['echo']);
  });
});
