import { dirname, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { ServerScan } from '../../src/admission/index.js';
import { printJson, setExitCode } from '../output.js';
import { addConfigOptions, concurrencyOf, serversFromFlags, type ConfigFlags } from '../admission-flags.js';
import { timeoutOption, usage, type ServerFlags } from '../server-flags.js';
import { signerOptionsOf, type SignerFlags } from '../signer-flags.js';

interface ApproveFlags extends ConfigFlags, Omit<SignerFlags, 'allowPublicLog'> {
  all?: boolean;
  yes?: boolean;
  trustedRoot?: string;
  json?: boolean;
}

/**
 * `toolseal approve`: shows what each named server declares (the summary, or the diff against its
 * approval), asks on a terminal unless --yes, signs each approved manifest as the approver, and
 * writes the lock atomically.
 */
export function registerApprove(program: Command): void {
  const command = program
    .command('approve')
    .description('review MCP servers from your clients\' configurations, sign what you approve, and pin it in the lock')
    .usage('(NAME... | --all) [--config FILE]... [--lock FILE] (--key KEY | keyless options) [--yes]')
    .argument('[names...]', 'the servers to approve, by their name in the configuration')
    .option('--all', 'every server found')
    .option('--yes', 'approve without asking (after reviewing toolseal scan); required when not on a terminal')
    .option('--key <pem-file>', 'sign the approvals with this ECDSA P-256 private key (passphrase: TOOLSEAL_KEY_PASSPHRASE)')
    .option('--identity-token <jwt>', 'OIDC token for keyless signing (default: SIGSTORE_ID_TOKEN, then GitHub Actions)')
    .option('--fulcio-url <url>', 'Fulcio of a private Sigstore instance')
    .option('--rekor-url <url>', 'Rekor of a private Sigstore instance')
    .option('--tsa-url <url>', 'RFC 3161 timestamp authority')
    .option('--signing-config <file>', 'a Sigstore signing_config.json')
    .option('--trusted-root <file>', 'a new lock verifies its approvals against this trusted_root.json (private Sigstore)')
    .option('--json', 'print the result as JSON');
  addConfigOptions(command).action(async (names: string[], flags: ApproveFlags, cmd: Command) => {
    setExitCode(cmd, await runApprove(names, flags));
  });
}

async function runApprove(names: string[], flags: ApproveFlags): Promise<number> {
  if (Boolean(flags.all) === names.length > 0) throw usage('Name the servers to approve, or give --all (not both).');
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  if (!flags.yes && !interactive) throw usage('approve asks before it signs, and this is not a terminal; review "toolseal scan" and pass --yes.');
  const lib = await import('../../src/admission/index.js');
  const { createSigner } = await import('../../src/sign/create-signer.js');
  const { assertWritableDestination } = await import('../../src/io/files.js');
  await assertWritableDestination(flags.lock);
  // The signer first: a missing identity fails before any server is started.
  const signer = await createSigner(signerOptionsOf(flags));
  const found = await serversFromFlags(flags);
  const selected = flags.all ? found.servers : found.servers.filter((s) => names.includes(s.name));
  const missing = names.filter((n) => !found.servers.some((s) => s.name === n));
  if (missing.length > 0) throw usage(`No configured MCP server is named ${missing.map((n) => `"${n}"`).join(', ')} in ${found.files.map((f) => f.path).join(', ') || 'any configuration found'}.`);
  const lock = await lib.readLockFile(flags.lock, { optional: true });
  const concurrency = concurrencyOf(flags);
  const report = await lib.scanServers(selected, {
    ...(lock ? { lock, lockPath: flags.lock } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    capture: timeoutOption(flags as unknown as ServerFlags),
  });
  const trust = flags.trustedRoot ? { source: 'trusted-root' as const, path: relative(dirname(resolve(flags.lock)), resolve(flags.trustedRoot)) } : undefined;
  const confirm = async (scan: ServerScan): Promise<boolean> => {
    process.stderr.write(`\n${lib.renderReview(scan, report.findings)}`);
    return flags.yes ? true : ask(`Approve "${scan.name}"? [y/N] `);
  };
  // With --all, a server that could not be captured is skipped (and said so); one named is an error.
  const skipped = flags.all ? report.servers.filter((s) => s.status === 'capture-failed') : [];
  for (const s of skipped) process.stderr.write(lib.captureFailureLine(s, ', so it is not approved'));
  const keep = report.servers.map((s) => !skipped.includes(s));
  const result = await lib.approveServers(report.servers.filter((_s, i) => keep[i]), selected.filter((_s, i) => keep[i]), { signer, ...(lock ? { lock } : {}), ...(trust ? { trust } : {}), confirm });
  if (result.approved.length > 0) await lib.writeLockFile(flags.lock, result.lock);
  if (flags.json) printJson({ lock: flags.lock, written: result.approved.length > 0, approved: result.approved, unchanged: result.unchanged, declined: result.declined });
  else {
    for (const a of result.approved) process.stdout.write(`Approved ${a.name} (${a.digest.slice(0, 19)}…) as ${a.by}\n`);
    for (const n of result.unchanged) process.stdout.write(`${n}: approved already and unchanged\n`);
    for (const n of result.declined) process.stdout.write(`${n}: not approved (declined)\n`);
    if (result.approved.length > 0) process.stdout.write(`Wrote ${flags.lock}\n`);
  }
  return skipped.length > 0 ? 2 : result.declined.length > 0 ? 1 : 0;
}

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
