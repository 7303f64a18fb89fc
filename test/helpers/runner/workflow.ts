import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseOutputs } from '../../e2e/action.helpers.js';
import { evaluate, evaluateMap, type Contexts } from './expressions.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
/** What `runs.main` of action.yml names: the committed bundle, started as the runner starts a node24 action. */
const ACTION_MAIN = join(ROOT, 'action', 'dist', 'index.js');

/** A step of a workflow, as YAML gives it. */
export interface Step {
  id?: string; name?: string; uses?: string; run?: string; if?: unknown;
  with?: Record<string, unknown>; env?: Record<string, unknown>; 'working-directory'?: string; shell?: string;
}
interface Job { permissions?: Record<string, string>; env?: Record<string, unknown>; steps: Step[]; strategy?: { matrix?: Record<string, unknown> } }

/** The repository and event a job runs for, and the local stand-ins for GitHub's services. */
export interface RunnerOptions {
  /** The checked-out repository (`GITHUB_WORKSPACE`, each step's working directory). */
  workspace: string;
  repository: string;
  ref: string;
  eventName: string;
  event?: Record<string, unknown>;
  /** GitHub Actions' OIDC endpoint; its variables are set only for jobs with `id-token: write`. */
  oidc?: { url: string; requestToken: string };
  /** The job's `github.token`: the first with `attestations: write`, the second otherwise. */
  tokens?: { write: string; read: string };
  /** `GITHUB_API_URL` (e.g. the loopback attestations API). */
  apiURL?: string;
  /** `secrets.*` */
  secrets?: Record<string, string>;
  /** Variables the runner's own environment has (as a self-hosted runner's would), under every step. */
  env?: Record<string, string>;
  /** Directories put first on PATH for every step (stand-ins for `gh`, ...). */
  path?: string[];
  /**
   * Inputs added to every toolseal step that does not set them: the Sigstore instance, which
   * on loopback cannot be public-good. The test says which; everything else runs as written.
   */
  toolsealInputs?: (mode: string) => Record<string, string>;
}

/** What one step did. */
export interface StepRun {
  id?: string; label: string; code: number; stdout: string; stderr: string;
  outputs: Record<string, string>; summary: string; errors: string[];
}

/** One job (one matrix combination): its steps up to the first failure. */
export interface JobRun { matrix?: Record<string, unknown>; ok: boolean; steps: StepRun[]; step(id: string): StepRun }

/**
 * A small runner for toolseal's workflow snippets: reads a workflow (a whole file, a job's
 * `permissions:` + `steps:`, or a list of steps), expands a matrix, and runs each job's steps
 * in order as GitHub's runner does: `run:` through `bash --noprofile --norc -eo pipefail`,
 * the toolseal Action through its `action.yml` (defaults, `INPUT_*`, node running
 * `dist/index.js`), each step with its own `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`, outputs
 * fed to later `${{ steps.* }}`. `actions/checkout` and `actions/setup-node` are no-ops (the
 * workspace is prepared, node is the current one); any other action fails the test.
 */
export async function runWorkflow(yamlText: string, options: RunnerOptions): Promise<JobRun[]> {
  const doc = parse(yamlText) as unknown;
  const workflow = (Array.isArray(doc) ? { steps: doc } : doc) as { jobs?: Record<string, Job>; env?: Record<string, unknown> } & Partial<Job>;
  const jobs = workflow.jobs ? Object.values(workflow.jobs) : [workflow as Job];
  const runs: JobRun[] = [];
  for (const job of jobs) {
    const permissions = job.permissions ?? workflow.permissions ?? {};
    for (const matrix of expandMatrix(job.strategy?.matrix)) {
      runs.push(await runJob(job, { ...(workflow.jobs ? workflow.env : {}), ...job.env }, permissions, matrix, options));
    }
  }
  return runs;
}

function expandMatrix(matrix: Record<string, unknown> | undefined): (Record<string, unknown> | undefined)[] {
  if (!matrix) return [undefined];
  const { include, ...axes } = matrix as { include?: Record<string, unknown>[] } & Record<string, unknown[]>;
  let combos: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(axes)) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  if (include) combos = Object.keys(axes).length === 0 ? include : [...combos, ...include];
  return combos;
}

async function runJob(job: Job, jobEnv: Record<string, unknown>, permissions: Record<string, string>, matrix: Record<string, unknown> | undefined, options: RunnerOptions): Promise<JobRun> {
  const temp = await mkdtemp(join(tmpdir(), 'toolseal-runner-'));
  const eventPath = join(temp, 'event.json');
  await writeFile(eventPath, JSON.stringify(options.event ?? {}));
  const token = permissions.attestations === 'write' ? options.tokens?.write : options.tokens?.read;
  const contexts: Contexts = {
    github: { token: token ?? '', repository: options.repository, ref: options.ref, ref_name: options.ref.replace(/^refs\/(heads|tags)\//, ''), event_name: options.eventName, event: options.event ?? {}, workspace: options.workspace },
    runner: { temp }, matrix: matrix ?? {}, secrets: options.secrets ?? {}, steps: {},
  };
  const runnerEnv: Record<string, string> = {
    PATH: [...(options.path ?? []), process.env.PATH ?? ''].join(':'), HOME: process.env.HOME ?? temp,
    CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: options.workspace, GITHUB_REPOSITORY: options.repository,
    GITHUB_REF: options.ref, GITHUB_REF_NAME: options.ref.replace(/^refs\/(heads|tags)\//, ''), GITHUB_EVENT_NAME: options.eventName, GITHUB_EVENT_PATH: eventPath,
    GITHUB_SERVER_URL: 'https://github.com', GITHUB_API_URL: options.apiURL ?? 'https://api.github.com', RUNNER_TEMP: temp,
    // The runner's own credential for its services: it must never reach a server.
    ACTIONS_RUNTIME_TOKEN: 'runner-runtime-secret',
    // The runner has no network here: npm works from local files only.
    npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false',
    ...options.env,
    ...(permissions['id-token'] === 'write' && options.oidc ? { ACTIONS_ID_TOKEN_REQUEST_URL: options.oidc.url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: options.oidc.requestToken } : {}),
  };
  const steps: StepRun[] = [];
  const run: JobRun = { ...(matrix ? { matrix } : {}), ok: true, steps, step: (id) => steps.find((s) => s.id === id) ?? fail(`no step ${id} ran`) };
  for (const [index, step] of job.steps.entries()) {
    if (step.if !== undefined) throw new Error('runner harness: if: conditions are not supported');
    const env = { ...runnerEnv, ...evaluateMap(jobEnv as Record<string, unknown>, contexts), ...evaluateMap(step.env, contexts) };
    const result = await runStep(step, env, contexts, options, join(temp, `step-${index}`));
    steps.push(result);
    if (step.id) (contexts.steps as Record<string, unknown>)[step.id] = { outputs: result.outputs };
    if (result.code !== 0) {
      run.ok = false;
      break;
    }
  }
  return run;
}

async function runStep(step: Step, env: Record<string, string>, contexts: Contexts, options: RunnerOptions, files: string): Promise<StepRun> {
  await mkdir(files, { recursive: true });
  const output = join(files, 'output');
  const summary = join(files, 'summary');
  await Promise.all([writeFile(output, ''), writeFile(summary, '')]);
  const stepEnv = { ...env, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary };
  const label = step.name ?? step.id ?? step.uses ?? step.run ?? '';
  let result: { code: number; stdout: string; stderr: string };
  if (step.run !== undefined) {
    if (step.shell !== undefined) throw new Error('runner harness: only the default shell (bash) is supported');
    const script = join(files, 'script.sh');
    await writeFile(script, evaluate(step.run, contexts));
    const cwd = step['working-directory'] ? resolve(options.workspace, evaluate(step['working-directory'], contexts)) : options.workspace;
    result = await spawnCollect('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], stepEnv, cwd);
  } else if (step.uses && /^actions\/(checkout|setup-node)@/.test(step.uses)) {
    result = { code: 0, stdout: '', stderr: '' };
  } else if (step.uses && /^toolseal\/toolseal\/action@/.test(step.uses)) {
    const given = evaluateMap(step.with, contexts);
    const inputs = { ...(await actionDefaults(contexts)), ...(options.toolsealInputs?.(given.mode ?? '') ?? {}), ...given };
    const inputEnv = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]));
    result = await spawnCollect(process.execPath, [ACTION_MAIN], { ...stepEnv, ...inputEnv }, options.workspace);
  } else {
    throw new Error(`runner harness: the step ${label} uses an action it does not run`);
  }
  return {
    ...(step.id ? { id: step.id } : {}), label, ...result,
    outputs: parseOutputs(await readFile(output, 'utf8')), summary: await readFile(summary, 'utf8'),
    errors: result.stdout.split('\n').filter((l) => l.startsWith('::error')),
  };
}

/** The `default:` of each input in action.yml, evaluated (`${{ github.token }}`), as the runner applies them. */
async function actionDefaults(contexts: Contexts): Promise<Record<string, string>> {
  const yml = parse(await readFile(join(ROOT, 'action', 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: unknown }> };
  return Object.fromEntries(Object.entries(yml.inputs).filter(([, i]) => i.default !== undefined).map(([k, i]) => [k, evaluate(String(i.default), contexts)]));
}

/** The longest one step may take before the harness ends it (a step that hangs fails, it never stalls the suite). */
const STEP_TIMEOUT_MS = 180_000;

function spawnCollect(command: string, args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: STEP_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

function fail(message: string): never {
  throw new Error(`runner harness: ${message}`);
}
