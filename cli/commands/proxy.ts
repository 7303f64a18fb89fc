import { Option, type Command } from 'commander';
import type {
  EnforceMode, GuardOptions, ListsDecision, ServerTarget, UpstreamOptions,
} from '../../src/index.js';
import { serverTargetFrom } from '../../src/manifest/capture/target.js';
import { setExitCode } from '../output.js';
import { addPolicyOptions, loadPolicy, type PolicyOptionFlags } from '../policy-options.js';
import { addLaunchOptions, collect, launchFromFlags, timeoutOption, usage, type LaunchFlags, type ServerFlags } from '../server-flags.js';

type RunOptions = GuardOptions & UpstreamOptions;

interface ProxyFlags extends PolicyOptionFlags, LaunchFlags {
  bundle?: string;
  bundleFromServer?: boolean;
  enforce?: EnforceMode;
  auditLog?: string;
  auditCalls?: boolean;
  upstream?: string;
  header: string[];
  listen?: string;
  timeout?: string;
}

/**
 * `toolseal proxy`: a guarded MCP proxy. stdio by default (stdin/stdout speak to the client,
 * the server command after `--` is spawned); `--listen HOST:PORT` serves Streamable HTTP;
 * `--upstream URL` forwards to a Streamable HTTP server. stdout carries only the protocol:
 * everything for people goes to stderr. Exit 0 when the client ended the session (or on
 * SIGINT/SIGTERM), 1 when `enforce: block` refused the server or the bundle did not verify,
 * 2 when the proxy could not run or the server failed.
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
    .option('--listen <host:port>', 'serve Streamable HTTP on this address (e.g. 127.0.0.1:8931) instead of stdio')
    .option('--timeout <ms>', 'timeout of each request the guard itself sends (list pages), in milliseconds (default 30000)');
  addPolicyOptions(addLaunchOptions(command)).action(async (commandLine: string[], flags: ProxyFlags, cmd: Command) => {
    setExitCode(cmd, await runProxy(commandLine, flags));
  });
}

async function runProxy(commandLine: string[], flags: ProxyFlags): Promise<number> {
  const upstream = upstreamFrom(commandLine, flags);
  if (Boolean(flags.bundle) === Boolean(flags.bundleFromServer)) throw usage('Give exactly one of --bundle FILE_OR_URL or --bundle-from-server.');
  const listen = flags.listen === undefined ? undefined : parseListen(flags.listen);
  const { createFileAuditSink, prepareAttestation, NULL_AUDIT_SINK } = await import('../../src/index.js');
  const policy = await loadPolicy(flags);
  const attestation = await prepareAttestation({ policy, bundle: flags.bundle ? { kind: 'source', source: flags.bundle } : { kind: 'server' } });
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
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
    return listen ? await serveHttp(upstream, listen, options, log) : await serveStdio(upstream, options, log);
  } finally {
    await audit.close();
  }
}

async function serveStdio(upstream: ServerTarget, options: RunOptions, log: (line: string) => void): Promise<number> {
  const { runStdioProxy } = await import('../../src/index.js');
  const stopped = new AbortController();
  const running = runStdioProxy({ ...options, upstream, signal: stopped.signal });
  const stop = (): void => stopped.abort();
  process.once('SIGINT', stop).once('SIGTERM', stop);
  const end = await running;
  process.off('SIGINT', stop).off('SIGTERM', stop);
  if (end.reason === 'client' || end.error === undefined) return 0;
  log(`toolseal proxy: ${end.reason === 'refused' ? 'refused' : 'the server failed'}: ${end.error.message}`);
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  return end.reason === 'refused' ? 1 : 2;
}

async function serveHttp(upstream: ServerTarget, listen: { host: string; port: number }, options: RunOptions, log: (line: string) => void): Promise<number> {
  const { startHttpProxy } = await import('../../src/index.js');
  const proxy = await startHttpProxy({ ...options, upstream, ...listen });
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
    command: commandLine, ...(flags.upstream !== undefined ? { url: flags.upstream } : {}), headers: flags.header, launch: launchFromFlags(flags),
  });
  if (!target) throw usage('Say which server to guard: a command after -- (e.g. -- npx -y @acme/server) or --upstream URL.');
  return target;
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
  const hidden = decision.hidden.length > 0 && v.decision !== 'refuse' ? `; hidden: ${decision.hidden.map((h) => `${h.list}/${h.key} (${h.reason})`).join(', ')}` : '';
  return `toolseal proxy: ${v.server} (manifest ${v.digest.slice(0, 19)}…): ${v.decision}; exposed ${counts}${hidden}`;
}
