import { Option, type Command } from 'commander';
import type {
  EnforceMode, GuardOptions, ListsDecision, Policy, ServerTarget, UpstreamOptions,
} from '../../src/internal.js';
import { escapeTerminal, untrusted } from '../../src/io/terminal.js';
import { serverTargetFrom } from '../../src/manifest/capture/target.js';
import { setExitCode } from '../output.js';
import { addPolicyOptions, loadPolicy, type PolicyOptionFlags } from '../policy-options.js';
import { addLaunchOptions, collect, launchFromFlags, timeoutOption, usage, type LaunchFlags, type ServerFlags } from '../server-flags.js';

type RunOptions = GuardOptions & UpstreamOptions;

interface ProxyFlags extends PolicyOptionFlags, LaunchFlags {
  bundle?: string;
  bundleFromServer?: boolean;
  offline?: boolean;
  enforce?: EnforceMode;
  auditLog?: string;
  auditCalls?: boolean;
  upstream?: string;
  header: string[];
  listen?: string;
  timeout?: string;
  lock?: string;
  server?: string;
  headerEnv: string[];
  bearerTokenEnv?: string;
  maxSessions?: string;
  idleTimeout?: string;
  authTokenFile?: string;
  allowOrigin: string[];
}

/**
 * `toolseal proxy`: a guarded MCP proxy. stdio by default (stdin/stdout speak to the client,
 * the server command after `--` is spawned); `--listen HOST:PORT` serves Streamable HTTP;
 * `--upstream URL` forwards to a Streamable HTTP server. stdout carries only the protocol:
 * everything for people goes to stderr. Exit 0 when the client ended the session (or on
 * SIGINT/SIGTERM), 1 when `enforce: block` refused the server or the bundle did not verify,
 * 2 when the proxy could not run or the server failed. On stdin end, SIGTERM, SIGINT or a
 * closed stdout (EPIPE) the server's whole process group is ended within 1.5 s.
 */
export function registerProxy(program: Command): void {
  const command = program
    .command('proxy')
    .description('serve an MCP server through the guard: verify its signed manifest at connect time and enforce it')
    .argument('[command...]', 'the server command and its arguments, after --')
    .option('--bundle <file-or-url>', 'the Sigstore bundle of the server\'s manifest: a file, or an https:// URL')
    .option('--bundle-from-server', `take the bundle the server offers in its initialize result (_meta["dev.toolseal/bundle"]); the policy still decides who may sign`)
    .addOption(new Option('--enforce <mode>', 'block: refuse the server on any mismatch; filter: hide mismatching entries; warn: log only (default: the policy\'s, else block)').choices(['block', 'filter', 'warn']))
    .option('--audit-log <file>', 'append every decision to this file as JSON lines')
    .option('--audit-calls', 'also record every allowed call in the audit log (refusals are always recorded)')
    .option('--upstream <url>', 'forward to a Streamable HTTP MCP server instead of spawning a command')
    .option('--header <K:V>', 'HTTP header for --upstream (repeatable)', collect, [])
    .option('--header-env <Name=VAR>', 'HTTP header for --upstream whose value is the environment variable VAR (repeatable; keeps secrets off the command line)', collect, [])
    .option('--bearer-token-env <VAR>', 'send Authorization: Bearer $VAR to --upstream')
    .option('--lock <file>', 'admit the server only as the lock approves it (with --server): its approved bundle is the policy; a server not approved is refused without being started')
    .option('--server <name>', 'with --lock: the server\'s name in the lock')
    .option('--listen <host:port>', 'serve Streamable HTTP on this address (e.g. 127.0.0.1:8931) instead of stdio')
    .option('--max-sessions <n>', 'with --listen: most 2025-era client sessions open at once, each with its own server (default 32)')
    .option('--idle-timeout <ms>', 'with --listen: close a 2025-era session idle this long, in milliseconds (default 600000)')
    .option('--auth-token-file <file>', 'with --listen: require Authorization: Bearer <the token in FILE> on every request (needed to listen beyond loopback)')
    .option('--allow-origin <origin>', 'with --listen: a browser Origin allowed besides the proxy\'s own (repeatable); any other gets 403', collect, [])
    .option('--timeout <ms>', 'timeout of each request the guard itself sends (list pages), in milliseconds (default 30000)')
    .option('--offline', 'with Sigstore public-good: use the trusted root shipped with toolseal, no TUF refresh, no network');
  addPolicyOptions(addLaunchOptions(command)).action(async (commandLine: string[], flags: ProxyFlags, cmd: Command) => {
    setExitCode(cmd, await runProxy(commandLine, flags));
  });
}

async function runProxy(commandLine: string[], flags: ProxyFlags): Promise<number> {
  const upstream = upstreamFrom(commandLine, flags);
  if (flags.lock !== undefined || flags.server !== undefined) return runLockProxy(upstream, flags);
  if (Boolean(flags.bundle) === Boolean(flags.bundleFromServer)) throw usage('Give exactly one of --bundle FILE_OR_URL or --bundle-from-server.');
  const { prepareAttestation, trustSourceForPolicy } = await import('../../src/internal.js');
  const policy = await loadPolicy(flags);
  const attestation = await prepareAttestation({ policy, trustSource: trustSourceForPolicy(policy, { offline: Boolean(flags.offline) }), bundle: flags.bundle ? { kind: 'source', source: flags.bundle } : { kind: 'server' } });
  return serve(upstream, flags, policy, attestation);
}

/**
 * `--lock FILE --server NAME`: the lock entry is the policy. Anything that keeps the server from
 * being admitted (not approved, an approval that does not verify, an unreadable lock) is answered
 * to the client by a quarantine stand-in, and the server is never started.
 */
async function runLockProxy(upstream: ServerTarget, flags: ProxyFlags): Promise<number> {
  if (flags.lock === undefined || flags.server === undefined) throw usage('--lock and --server go together: --lock FILE --server NAME.');
  if (flags.bundle !== undefined || flags.bundleFromServer) throw usage('--lock takes the approved bundle from the lock; drop --bundle / --bundle-from-server.');
  if (flags.refuseDynamicLists) throw usage('--refuse-dynamic-lists applies to a publisher\'s bundle; a lock entry pins the very manifest its approver reviewed. Drop it, or use --bundle.');
  const { admitFromLock, serveQuarantine } = await import('../../src/admission/index.js');
  const { ToolsealError, isVerdictError } = await import('../../src/errors.js');
  const override = hasPolicyFlags(flags) ? await loadPolicy(flags) : undefined;
  let admission;
  try {
    admission = await admitFromLock({ lockPath: flags.lock, server: flags.server, ...(override ? { approverPolicy: override } : {}) });
  } catch (err) {
    // Over HTTP there is no one client to answer: refuse to start.
    if (!(err instanceof ToolsealError) || flags.listen !== undefined) throw err;
    process.stderr.write(`${escapeTerminal(`toolseal proxy: refused "${flags.server}" [${err.code}]: ${err.message}`)}\n`);
    await serveQuarantine({ server: flags.server, reason: err });
    return isVerdictError(err) ? 1 : 2;
  }
  process.stderr.write(`${escapeTerminal(`toolseal proxy: "${flags.server}" approved by ${admission.entry.approvedBy} (${admission.entry.manifestDigest.slice(0, 19)}…)`)}\n`);
  return serve(upstream, flags, admission.policy, admission.attestation);
}

const POLICY_FLAG_KEYS = ['policy', 'certificateIdentity', 'certificateIdentityRegexp', 'certificateOidcIssuer', 'githubRepository', 'githubRepositoryId', 'githubRef', 'githubWorkflowRef', 'runnerEnvironment', 'key', 'trustedRoot'] as const;

function hasPolicyFlags(flags: ProxyFlags): boolean {
  return POLICY_FLAG_KEYS.some((k) => flags[k] !== undefined);
}

async function serve(upstream: ServerTarget, flags: ProxyFlags, policy: Policy, attestation: GuardOptions['attestation']): Promise<number> {
  const listen = flags.listen === undefined ? undefined : parseListen(flags.listen);
  const { createFileAuditSink, NULL_AUDIT_SINK } = await import('../../src/internal.js');
  // Every line may hold server text (names, reasons): escaped, so it cannot drive the terminal.
  const log = (line: string): void => void process.stderr.write(`${escapeTerminal(line)}\n`);
  const audit = flags.auditLog ? await createFileAuditSink(flags.auditLog, (err) => log(`toolseal proxy: audit log write failed: ${err.message}`)) : NULL_AUDIT_SINK;
  const options: RunOptions = {
    attestation, audit, log,
    onSpawn: (pid) => log(`toolseal proxy: started the server (pid ${pid})`),
    settings: { ...policy, enforce: flags.enforce ?? policy.enforce },
    auditAllowedCalls: flags.auditCalls ?? false,
    limits: timeoutOption(flags as ServerFlags),
    onDecision: (decision) => log(describeDecision(decision)),
  };
  try {
    return listen ? await serveHttp(upstream, listen, options, log, flags) : await serveStdio(upstream, options, log);
  } finally {
    await audit.close();
  }
}

async function serveStdio(upstream: ServerTarget, options: RunOptions, log: (line: string) => void): Promise<number> {
  const { runStdioProxy } = await import('../../src/internal.js');
  // SIGTERM (what an MCP client sends when it closes, after closing stdin) and SIGINT end the
  // session at once, even while the client keeps stdin open.
  const stopped = new AbortController();
  const stop = (): void => stopped.abort();
  process.once('SIGINT', stop).once('SIGTERM', stop);
  const end = await runStdioProxy({ ...options, upstream, signal: stopped.signal });
  process.off('SIGINT', stop).off('SIGTERM', stop);
  // An open stdin would keep the process alive after the session ended.
  process.stdin.destroy();
  if (end.error === undefined) return 0;
  log(`toolseal proxy: ${END_LABELS[end.reason]}: ${end.error.message}`);
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  return end.reason === 'refused' ? 1 : 2;
}

/** How the log names a session that ended with an error (the exit code: 1 refused, else 2). */
const END_LABELS = { refused: 'refused', upstream: 'the server failed', client: 'the client sent what the proxy cannot take' } as const;

async function serveHttp(upstream: ServerTarget, listen: { host: string; port: number }, options: RunOptions, log: (line: string) => void, flags: ProxyFlags): Promise<number> {
  const { startHttpProxy } = await import('../../src/internal.js');
  const proxy = await startHttpProxy({ ...options, upstream, ...listen, ...(await httpLimits(flags)) });
  log(`toolseal proxy: listening on ${proxy.url}`);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
  await proxy.close();
  return 0;
}

function upstreamFrom(commandLine: string[], flags: ProxyFlags): ServerTarget {
  if (flags.upstream !== undefined && commandLine.length > 0) {
    throw usage(`Give either --upstream URL or a server command after --, not both (got ${commandLine[0]}).`);
  }
  if (flags.upstream !== undefined) checkUpstreamUrl(flags.upstream);
  // The library decides what a valid server spec is, headers included (values are never echoed).
  const target = serverTargetFrom({
    command: commandLine, ...(flags.upstream !== undefined ? { url: flags.upstream } : {}), headers: [...flags.header, ...headersFromEnv(flags)], launch: launchFromFlags(flags),
  });
  if (!target) throw usage('Say which server to guard: a command after -- (e.g. -- npx -y @acme/server) or --upstream URL.');
  return target;
}

/** `--header-env Name=VAR` and `--bearer-token-env VAR` as header lines; a variable that is not set is refused by name. */
function headersFromEnv(flags: ProxyFlags): string[] {
  const value = (name: string, flag: string): string => {
    const v = process.env[name];
    if (v === undefined) throw usage(`${flag} names the environment variable ${name}, which is not set.`);
    return v;
  };
  const lines = flags.headerEnv.map((spec) => {
    const m = /^([^=]+)=([A-Za-z_][A-Za-z0-9_]*)$/.exec(spec);
    if (!m) throw usage(`--header-env takes Name=VARIABLE, not "${spec.slice(0, 40)}".`);
    return `${m[1]}: ${value(m[2]!, '--header-env')}`;
  });
  if (flags.bearerTokenEnv !== undefined) lines.push(`Authorization: Bearer ${value(flags.bearerTokenEnv, '--bearer-token-env')}`);
  return lines;
}

/** Refuses a malformed `--upstream` before any bundle is read (the value is echoed only when it is no URL at all). */
function checkUpstreamUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usage(`--upstream takes the URL of a Streamable HTTP MCP server (e.g. http://127.0.0.1:3001/mcp), not "${value}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usage(`--upstream takes an http:// or https:// URL, not ${url.protocol}.`);
}

function parseListen(value: string): { host: string; port: number } {
  const match = /^(.*):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw usage(`--listen takes HOST:PORT (e.g. 127.0.0.1:8931), not "${value}".`);
  return { host: match[1]!.replace(/^\[|\]$/g, '') || '127.0.0.1', port };
}

function describeDecision(decision: ListsDecision): string {
  const v = decision.verdict;
  const counts = Object.entries(decision.exposed).filter(([, l]) => l.length > 0).map(([k, l]) => `${l.length} ${k}`).join(', ') || 'nothing';
  const shown = decision.hidden.slice(0, 10).map((h) => `${h.list}/${untrusted(h.key)} (${h.reason})`);
  const more = decision.hidden.length > 10 ? ` and ${decision.hidden.length - 10} more` : '';
  const hidden = decision.hidden.length > 0 && v.decision !== 'refuse' ? `; hidden: ${shown.join(', ')}${more}` : '';
  const notes = v.notes.length > 0 ? `; notes: ${v.notes.slice(0, 5).join('; ')}` : '';
  return `toolseal proxy: ${untrusted(v.server)} (manifest ${v.digest.slice(0, 19)}…): ${v.decision}; exposed ${counts}${hidden}${notes}`;
}

/** The HTTP proxy's session limits and access rules from the flags. */
async function httpLimits(flags: ProxyFlags): Promise<{ maxSessions?: number; idleTimeoutMs?: number; authToken?: string; allowedOrigins: string[] }> {
  const positive = (value: string | undefined, flag: string): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw usage(`${flag} takes a positive whole number, not "${value.slice(0, 40)}".`);
    return n;
  };
  const maxSessions = positive(flags.maxSessions, '--max-sessions');
  const idleTimeoutMs = positive(flags.idleTimeout, '--idle-timeout');
  let authToken: string | undefined;
  if (flags.authTokenFile !== undefined) {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(flags.authTokenFile, 'utf8').catch((err: Error) => { throw usage(`--auth-token-file ${flags.authTokenFile}: cannot read it (${err.message}).`); });
    authToken = text.trim();
    if (authToken === '' || /[\s]/.test(authToken)) throw usage(`--auth-token-file ${flags.authTokenFile}: the file must hold one token without blanks.`);
  }
  for (const origin of flags.allowOrigin) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw usage(`--allow-origin takes an origin like https://app.example.com, not "${origin.slice(0, 60)}".`);
  }
  return { ...(maxSessions ? { maxSessions } : {}), ...(idleTimeoutMs ? { idleTimeoutMs } : {}), ...(authToken ? { authToken } : {}), allowedOrigins: flags.allowOrigin };
}
