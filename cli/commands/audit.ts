import { InvalidArgumentError as InvalidArgument, Option, type Command } from 'commander';
import type { AuditOptions, AuditOutputs } from '../../src/internal.js';
import { InputError } from '../../src/errors.js';
import { setExitCode } from '../output.js';
import { addLaunchOptions, launchFromFlags, type LaunchFlags } from '../server-flags.js';

interface AuditFlags extends LaunchFlags {
  registry?: string;
  serverJson?: string[];
  bundles?: string;
  policy?: string;
  trustedRoot?: string;
  offline?: boolean;
  concurrency: number;
  cacheDir?: string;
  cache: boolean;
  live?: boolean;
  json?: boolean;
  sarif?: string;
  sarifPass?: boolean;
  markdown?: string;
  maxPages?: number;
  timeout: number;
  retries: number;
}

/** The conventional exit code of a process stopped by SIGINT. */
const INTERRUPTED = 130;

/**
 * `toolseal audit`: verifies every server of an MCP registry (or server.json files) and
 * reports one status per server. Exit 0 all verified, 1 any not verified, 2 could not run,
 * 130 interrupted (what finished is cached; run again to resume).
 */
export function registerAudit(program: Command): void {
  const command = program
    .command('audit')
    .description('verify the toolseal attestation of every server in an MCP registry and report each one')
    .option('--registry <url>', 'registry base URL, or one ending in /v0.1 or /v0 (reads /v0.1/servers, else /v0/servers, every page)')
    .option('--server-json <path...>', 'server.json files, saved /servers pages, or folders of them')
    .option('--bundles <dir>', 'folder of bundles named <namespace>__<name>.sigstore.json (see docs/audit.md)')
    .option('--policy <file>', 'audit policy: who may sign for which namespace (schemas/audit-policy.schema.json)')
    .option('--trusted-root <file>', 'trusted_root.json for every server (offline verification)')
    .option('--offline', 'for Sigstore public-good trust: the trusted root shipped with toolseal, no TUF refresh (registry and bundles are still fetched)')
    .addOption(new Option('--concurrency <n>', 'servers verified at once').default(8).argParser(intArg('--concurrency')))
    .option('--cache-dir <dir>', 'verification cache (default $TOOLSEAL_CACHE_DIR/audit or ~/.cache/toolseal/audit)')
    .option('--no-cache', 'verify every bundle again, read and write no cache')
    .option('--live', 'also start each verified server (npx for npm packages, or its HTTP remote) and compare: runs publisher code, see docs/audit.md')
    .option('--json', 'print the report as JSON')
    .option('--sarif <file>', 'also write the report as SARIF 2.1.0 for code scanning (servers that are not verified)')
    .option('--sarif-pass', 'include verified servers in the SARIF file as "pass" results')
    .option('--markdown <file>', 'also write the report as Markdown')
    .addOption(new Option('--max-pages <n>', 'most registry pages to read (default 1000)').argParser(intArg('--max-pages')))
    .addOption(new Option('--timeout <ms>', 'per-request timeout for registry pages and bundles').default(15_000).argParser(intArg('--timeout')))
    .addOption(new Option('--retries <n>', 'retries after a network error, 5xx or 429 (never after other 4xx)').default(3).argParser(intArg('--retries', 0)));
  // With --live: how each npm package is started, the same launch rule as capture and the proxy.
  addLaunchOptions(command)
    .action(async (flags: AuditFlags, command: Command) => {
      setExitCode(command, await runAuditCommand(flags));
    });
}

/** Runs the audit with progress on stderr and reports where the flags say; returns the exit code. */
async function runAuditCommand(flags: AuditFlags): Promise<number> {
  const { auditWithReports, auditExitCode, createLiveCheck, createProgressReporter, limitHeapGrowthForAudit, resolveLaunch, summaryLine } = await import('../../src/internal.js');
  if (!flags.live && (flags.env.length > 0 || flags.envFile.length > 0 || flags.cwd !== undefined || flags.cleanEnv)) {
    throw new InputError('USAGE', '--env, --env-file, --cwd and --clean-env say how --live starts each server; add --live or drop them.');
  }
  const launch = resolveLaunch(launchFromFlags(flags));
  limitHeapGrowthForAudit();
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(INTERRUPTED);
    process.stderr.write('\ntoolseal: interrupted; finishing the servers in progress (Ctrl-C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = createProgressReporter(process.stderr);
  try {
    const options: AuditOptions = {
      ...auditOptions(flags),
      ...(flags.live ? { live: createLiveCheck({ launch }) } : {}),
      signal: controller.signal,
      onResult: progress.onResult,
      onRegistryEvent: progress.onRegistryEvent,
    };
    const { run, warnings } = await auditWithReports(options, outputsOf(flags));
    progress.finish();
    for (const warning of warnings) process.stderr.write(`toolseal: warning: ${warning}\n`);
    if (flags.json) process.stderr.write(`${summaryLine(run)}\n`);
    return run.complete ? auditExitCode(run) : INTERRUPTED;
  } finally {
    progress.finish();
    process.off('SIGINT', onSigint);
  }
}

/** The library options the flags ask for (everything but the live check and the callbacks). */
function auditOptions(flags: AuditFlags): AuditOptions {
  return {
    ...(flags.registry !== undefined ? { registry: flags.registry } : {}),
    ...(flags.serverJson ? { serverJson: flags.serverJson } : {}),
    ...(flags.bundles ? { bundlesDir: flags.bundles } : {}),
    ...(flags.policy ? { policyFile: flags.policy } : {}),
    ...(flags.trustedRoot ? { trustedRoot: flags.trustedRoot } : {}),
    ...(flags.offline ? { offline: true } : {}),
    concurrency: flags.concurrency,
    ...(!flags.cache ? { cacheDir: false as const } : flags.cacheDir !== undefined ? { cacheDir: flags.cacheDir } : {}),
    retry: { timeoutMs: flags.timeout, attempts: flags.retries + 1 },
    ...(flags.maxPages ? { maxPages: flags.maxPages } : {}),
  };
}

function outputsOf(flags: AuditFlags): AuditOutputs {
  return {
    stdout: process.stdout,
    ...(flags.json ? { json: true } : {}),
    ...(flags.sarif ? { sarif: { path: flags.sarif, ...(flags.sarifPass ? { includePass: true } : {}) } } : {}),
    ...(flags.markdown ? { markdown: flags.markdown } : {}),
  };
}

function intArg(flag: string, min = 1): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgument(`${flag} must be a whole number of at least ${min}, not "${value}".`);
    return n;
  };
}
