import { resolve } from 'node:path';
import type { Command } from 'commander';
import { printJson, setExitCode } from '../output.js';
import { addConfigOptions, concurrencyOf, serversFromFlags, type ConfigFlags } from '../admission-flags.js';
import { timeoutOption, type ServerFlags } from '../server-flags.js';

interface ScanFlags extends ConfigFlags {
  json?: boolean;
  policy?: string;
  trustedRoot?: string;
  sarif?: string;
  registry?: string;
}

/**
 * `toolseal scan`: finds the MCP servers in the clients' configurations, launches each as its
 * client would, and reports approved / changed / not approved / could not be captured, plus
 * cross-server findings. Exit 0 when every server is approved and unchanged, 1 otherwise, 2 when
 * it could not run. No environment or header value is printed.
 */
export function registerScan(program: Command): void {
  const command = program
    .command('scan')
    .description('find the MCP servers your clients run, capture each, and compare it with the lock')
    .option('--json', 'print the report as JSON')
    .option('--sarif <file>', 'also write the report as SARIF 2.1.0')
    .option('--trusted-root <file>', 'trusted_root.json for publishers\' bundles (default: Sigstore public-good)')
    .option('--registry <url>', 'an MCP registry to look each server up in (by its npx/uvx package or remote URL), checking the bundle its entry points to')
    .option('--policy <file>', 'who may have approved: a toolseal policy file, instead of the lock\'s own approvers');
  addConfigOptions(command).action(async (flags: ScanFlags, cmd: Command) => {
    const { readLockFile, scanServers, renderScanReport, scanToSarif, scanReportJson, captureFailureLine } = await import('../../src/admission/index.js');
    const { writeFileAtomic, assertWritableDestination } = await import('../../src/io/files.js');
    if (flags.sarif) await assertWritableDestination(flags.sarif);
    const found = await serversFromFlags(flags);
    const lock = await readLockFile(flags.lock, { optional: true });
    const concurrency = concurrencyOf(flags);
    const { readPolicyFile } = await import('../../src/policy/index.js');
    const approverPolicy = flags.policy !== undefined ? await readPolicyFile(flags.policy) : undefined;
    const report = await scanServers(found.servers, {
      ...(lock ? { lock, lockPath: flags.lock } : {}),
      ...(approverPolicy ? { approverPolicy } : {}),
      ...(flags.trustedRoot !== undefined ? { publisherTrust: { source: 'trusted-root' as const, path: resolve(flags.trustedRoot) } } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(flags.registry !== undefined ? { registry: { url: flags.registry } } : {}),
      capture: timeoutOption(flags as unknown as ServerFlags),
    });
    if (flags.sarif) await writeFileAtomic(flags.sarif, `${JSON.stringify(scanToSarif(report), null, 2)}\n`);
    if (flags.json) printJson(scanReportJson(report, found.files));
    else {
      if (found.files.length === 0) process.stdout.write('No MCP client configuration found (give one with --config FILE).\n');
      process.stdout.write(renderScanReport(report));
    }
    // One line per server that could not be checked, where a script looks for errors.
    for (const s of report.servers) {
      if (s.status === 'capture-failed') process.stderr.write(captureFailureLine(s));
    }
    setExitCode(cmd, report.exitCode);
  });
}
