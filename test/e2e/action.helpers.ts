import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The publisher the Action tests sign as: acme/weather-mcp's release workflow on tag v1.4.0. */
export const RELEASE = (() => {
  const repository = 'acme/weather-mcp';
  const ref = 'refs/tags/v1.4.0';
  const workflowRef = `${repository}/.github/workflows/release.yml@${ref}`;
  return { repository, ref, workflowRef, san: `https://github.com/${workflowRef}` };
})();

/** The claims GitHub puts in that release job's token (`eventName`: what triggered it); Fulcio copies them into the certificate. */
export function releaseClaims(eventName: string): Record<string, string> {
  const { repository, ref, workflowRef } = RELEASE;
  return {
    sub: `repo:${repository}:ref:${ref}`, repository, repository_owner: repository.split('/')[0]!, repository_visibility: 'public',
    ref, ref_type: 'tag', event_name: eventName, workflow_ref: workflowRef, job_workflow_ref: workflowRef,
  };
}

/** The committed, bundled entry the runner executes (`runs.main` of action.yml). */
export const ACTION_ENTRY = new URL('../../action/dist/index.js', import.meta.url).pathname;

/** One run of the Action as the runner starts it. */
export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** `$GITHUB_OUTPUT` parsed from its `name<<DELIMITER` blocks. */
  outputs: Record<string, string>;
  /** `$GITHUB_STEP_SUMMARY` as written. */
  summary: string;
  /** The `::error` workflow commands printed. */
  errors: string[];
  /** The run's `RUNNER_TEMP` (the Action keeps its TUF cache in `toolseal/tuf` there). */
  runnerTemp: string;
}

/**
 * Runs `node action/dist/index.js` the way the runner does: each input as `INPUT_<NAME>`
 * (upper-cased, spaces as `_`, dashes kept), fresh `GITHUB_OUTPUT` / `GITHUB_STEP_SUMMARY`
 * files, `RUNNER_TEMP`, `GITHUB_ACTIONS=true`, plus `env` (the OIDC request variables), in `cwd`
 * (the workspace). Nothing of the test process's environment leaks in but PATH and HOME.
 */
export async function runAction(inputs: Record<string, string>, env: Record<string, string>, cwd: string): Promise<ActionRun> {
  const files = await mkdtemp(join(tmpdir(), 'toolseal-runner-'));
  const outputFile = join(files, 'github_output');
  const summaryFile = join(files, 'step_summary');
  await Promise.all([writeFile(outputFile, ''), writeFile(summaryFile, '')]);
  const inputEnv = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]));
  const child = spawn(process.execPath, [ACTION_ENTRY], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? files,
      GITHUB_ACTIONS: 'true', RUNNER_TEMP: files, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile,
      ...inputEnv, ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    code, stdout, stderr,
    outputs: parseOutputs(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
    errors: stdout.split('\n').filter((l) => l.startsWith('::error')),
    runnerTemp: files,
  };
}

/** Parses `$GITHUB_OUTPUT` as the runner does: `name<<DELIM`, lines, `DELIM`; or `name=value`. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      if (end < 0) throw new Error(`output ${heredoc[1]} has no closing delimiter`);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}
