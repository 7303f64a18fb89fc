import { InvalidArgumentError as InvalidArgument, Option, type Command } from 'commander';
import type { AuditReport } from '../../src/index.js';
import { InputError } from '../../src/errors.js';
import { printJson, setExitCode } from '../output.js';
import { addLaunchOptions, launchFromFlags, type LaunchFlags } from '../server-flags.js';

interface AuditFlags extends LaunchFlags {
  registry?: string;
  serverJson?: string[];
  bundles?: string;
  policy?: string;
  trustedRoot?: string;
  concurrency: number;
  cacheDir?: string;
  cache: boolean;
  live?: boolean;
  json?: boolean;
  sarif?: string;
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
    .option('--registry <url>', 'registry base URL (reads /v0/servers, every page)')
    .option('--server-json <path...>', 'server.json files, saved /v0/servers pages, or folders of them')
    .option('--bundles <dir>', 'folder of bundles named <namespace>__<name>.sigstore.json (see docs/audit.md)')
    .option('--policy <file>', 'audit policy: who may sign for which namespace (schemas/audit-policy.schema.json)')
    .option('--trusted-root <file>', 'trusted_root.json for every server (offline verification)')
    .addOption(new Option('--concurrency <n>', 'servers verified at once').default(8).argParser(intArg('--concurrency')))
    .option('--cache-dir <dir>', 'verification cache (default $TOOLSEAL_CACHE_DIR/audit or ~/.cache/toolseal/audit)')
    .option('--no-cache', 'verify every bundle again, read and write no cache')
    .option('--live', 'also start each verified server (npx for npm packages, or its HTTP remote) and compare: runs publisher code, see docs/audit.md')
    .option('--json', 'print the report as JSON')
    .option('--sarif <file>', 'also write the report as SARIF 2.1.0')
    .option('--markdown <file>', 'also write the report as Markdown')
    .addOption(new Option('--max-pages <n>', 'most registry pages to read (default 1000)').argParser(intArg('--max-pages')))
    .addOption(new Option('--timeout <ms>', 'per-request timeout for registry pages and bundles').default(15_000).argParser(intArg('--timeout')))
    .addOption(new Option('--retries <n>', 'retries after a network error, 5xx or 429 (never after other 4xx)').default(3).argParser(intArg('--retries', 0)));
  // With --live: how each npm package is started, the same launch rule as capture and the proxy.
  addLaunchOptions(command)
    .action(async (flags: AuditFlags, command: Command) => {
      const {
        audit, auditExitCode, createLiveCheck, createProgressReporter, renderAuditMarkdown, renderAuditTable, resolveLaunch, summaryLine,
        toSarif, writeFileAtomic,
      } = await import('../../src/index.js');
      const launchFlags = launchFromFlags(flags);
      if (!flags.live && (flags.env.length > 0 || flags.envFile.length > 0 || flags.cwd !== undefined || flags.cleanEnv)) {
        throw new InputError('USAGE', '--env, --env-file, --cwd and --clean-env say how --live starts each server; add --live or drop them.');
      }
      const launch = resolveLaunch(launchFlags);
      const controller = new AbortController();
      const onSigint = (): void => {
        if (controller.signal.aborted) process.exit(INTERRUPTED);
        process.stderr.write('\ntoolseal: interrupted; finishing the servers in progress (Ctrl-C again to quit now)\n');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      const progress = createProgressReporter(process.stderr);
      let report: AuditReport;
      try {
        report = await audit({
          ...(flags.registry !== undefined ? { registry: flags.registry } : {}),
          ...(flags.serverJson ? { serverJson: flags.serverJson } : {}),
          ...(flags.bundles ? { bundlesDir: flags.bundles } : {}),
          ...(flags.policy ? { policyFile: flags.policy } : {}),
          ...(flags.trustedRoot ? { trustedRoot: flags.trustedRoot } : {}),
          concurrency: flags.concurrency,
          cacheDir: flags.cache ? (flags.cacheDir ?? undefined) : false,
          retry: { timeoutMs: flags.timeout, attempts: flags.retries + 1 },
          ...(flags.maxPages ? { maxPages: flags.maxPages } : {}),
          ...(flags.live ? { live: createLiveCheck({ launch }) } : {}),
          signal: controller.signal,
          onResult: progress.onResult,
        });
      } catch (err) {
        if (controller.signal.aborted) {
          setExitCode(command, INTERRUPTED);
          return;
        }
        throw err;
      } finally {
        progress.finish();
        process.off('SIGINT', onSigint);
      }
      if (flags.sarif) await writeFileAtomic(flags.sarif, `${JSON.stringify(toSarif(report), null, 2)}\n`);
      if (flags.markdown) await writeFileAtomic(flags.markdown, renderAuditMarkdown(report));
      if (flags.json) printJson(report);
      else process.stdout.write(renderAuditTable(report));
      if (flags.json) process.stderr.write(`${summaryLine(report)}\n`);
      setExitCode(command, report.complete ? auditExitCode(report) : INTERRUPTED);
    });
}

function intArg(flag: string, min = 1): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgument(`${flag} must be a whole number of at least ${min}, not "${value}".`);
    return n;
  };
}
