import type { Command } from 'commander';
import {
  captureServer, InputError, manifestDigest, resolveClientProfile, writeFileAtomic,
  type Manifest, type ServerTarget,
} from '../../src/index.js';
import { printJson, setExitCode } from '../output.js';

interface CaptureFlags {
  stdio?: boolean;
  url?: string;
  header: string[];
  clientProfile: string;
  exclude: string[];
  timeout?: string;
  output?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * `toolseal capture (--stdio -- CMD ARGS... | --url URL [--header K:V]...)`: captures a live
 * MCP server into a manifest, written to `-o FILE` (atomically) or stdout, with a one-line
 * summary on stderr. Everything after `--` is the server's command line, passed on
 * verbatim (its own flags included). Exit 0 on success, 2 when the server cannot be
 * captured or the flags are wrong.
 */
export function registerCapture(program: Command): void {
  program
    .command('capture')
    .description('capture a live MCP server\'s tools, prompts and resources into a manifest')
    .usage('(--stdio -- CMD [ARGS...] | --url URL [--header K:V]...) [options]')
    .argument('[command...]', 'with --stdio: the server command and its arguments, after --')
    .option('--stdio', 'spawn the server command given after -- and talk to it over stdio')
    .option('--url <url>', 'capture a Streamable HTTP server at this URL')
    .option('--header <K:V>', 'HTTP header to send (repeatable), e.g. "Authorization: Bearer $TOKEN"', collect, [])
    .option('--client-profile <profile>', 'client capabilities to declare: bare, full, or a JSON profile file', 'bare')
    .option('--exclude <path>', 'leave this path out of the manifest, e.g. /tools/*/_meta/traceId (repeatable)', collect, [])
    .option('--timeout <ms>', 'timeout of every request in milliseconds (default 30000)')
    .option('-o, --output <file>', 'write the manifest to this file instead of stdout')
    .option('--json', 'print a JSON summary (with the manifest when -o is not given) to stdout')
    .action(async (commandLine: string[], flags: CaptureFlags, command: Command) => {
      const target = targetFromFlags(commandLine, flags);
      const profile = await resolveClientProfile(flags.clientProfile);
      const manifest = await captureServer(target, {
        profile, exclude: flags.exclude,
        ...(flags.timeout !== undefined ? { requestTimeoutMs: parseTimeout(flags.timeout) } : {}),
      });
      await emit(manifest, flags);
      setExitCode(command, 0);
    });
}

function targetFromFlags(commandLine: string[], flags: CaptureFlags): ServerTarget {
  if (flags.stdio && flags.url !== undefined) throw usage('Give either --stdio -- CMD ... or --url URL, not both.');
  if (flags.url !== undefined) {
    if (commandLine.length > 0) throw usage(`Unexpected arguments after --url: ${commandLine.join(' ')}. A server command needs --stdio.`);
    return { kind: 'http', url: flags.url, headers: parseHeaders(flags.header) };
  }
  if (!flags.stdio) throw usage('Say which server to capture: --stdio -- CMD [ARGS...] or --url URL.');
  if (flags.header.length > 0) throw usage('--header applies to --url only.');
  const [cmd, ...args] = commandLine;
  if (cmd === undefined || cmd === '') throw usage('--stdio needs the server command after --, e.g. toolseal capture --stdio -- npx -y @acme/server.');
  return { kind: 'stdio', command: cmd, args };
}

function parseHeaders(headers: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of headers) {
    const colon = header.indexOf(':');
    const name = colon > 0 ? header.slice(0, colon).trim() : '';
    // The value may be a secret: name only the header in the message.
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw usage(`--header "${name || header.slice(0, 20)}…" is not of the form Name: value.`);
    out[name] = header.slice(colon + 1).trim();
  }
  return out;
}

function parseTimeout(text: string): number {
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms <= 0) throw usage(`--timeout takes a positive number of milliseconds, not "${text}".`);
  return ms;
}

async function emit(manifest: Manifest, flags: CaptureFlags): Promise<void> {
  const digest = manifestDigest(manifest);
  // The digest is over the canonical bytes; the file is indented for people.
  if (flags.output !== undefined) await writeFileAtomic(flags.output, `${JSON.stringify(manifest, null, 2)}\n`);
  if (flags.json) {
    printJson({ digest, server: manifest.server, clientProfile: manifest.capture.clientProfile, counts: counts(manifest), output: flags.output ?? null, ...(flags.output === undefined ? { manifest } : {}) });
    return;
  }
  if (flags.output === undefined) printJson(manifest);
  const c = counts(manifest);
  process.stderr.write(`toolseal: captured ${manifest.server.name}@${manifest.server.version} (client profile ${manifest.capture.clientProfile}): ${c.tools} tools, ${c.prompts} prompts, ${c.resources} resources, ${c.resourceTemplates} resource templates; digest ${digest}${flags.output !== undefined ? `; written to ${flags.output}` : ''}\n`);
}

function counts(m: Manifest): Record<'tools' | 'prompts' | 'resources' | 'resourceTemplates', number> {
  return { tools: m.tools.length, prompts: m.prompts.length, resources: m.resources.length, resourceTemplates: m.resourceTemplates.length };
}

function usage(message: string): InputError {
  return new InputError('USAGE', message);
}
