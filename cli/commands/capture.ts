import type { Command } from 'commander';
import type { Manifest } from '../../src/internal.js';
import { untrusted } from '../../src/io/terminal.js';
import { printJson, setExitCode } from '../output.js';
import { addServerOptions, collect, dynamicOption, targetFromFlags, captureFlags, type ServerFlags } from '../server-flags.js';

interface CaptureFlags extends ServerFlags {
  clientProfile: string;
  exclude: string[];
  dynamic: string[];
  output?: string;
  json?: boolean;
}

/**
 * `toolseal capture (--stdio -- CMD ARGS... | --url URL [--header K:V]...)`: captures a live
 * MCP server into a manifest, written to `-o FILE` (atomically) or stdout, with a one-line
 * summary on stderr. Everything after `--` is the server's command line, passed on
 * verbatim (its own flags included). Exit 0 on success, 2 when the server cannot be
 * captured or the flags are wrong.
 */
export function registerCapture(program: Command): void {
  const command = program
    .command('capture')
    .description('capture a live MCP server\'s tools, prompts and resources into a manifest')
    .usage('(--stdio -- CMD [ARGS...] | --url URL [--header K:V]...) [options]');
  addServerOptions(command, true)
    .option('--client-profile <profile>', 'client capabilities to declare: full (default: roots, sampling, elicitation, tasks), bare, or a JSON profile file', 'full')
    .option('--exclude <path>', 'leave this path out of the manifest, e.g. /tools/*/_meta/traceId (repeatable)', collect, [])
    .option('--dynamic <list>', 'resources or resourceTemplates: the user\'s data, not signed (recorded; an error listing it does not fail; repeatable)', collect, [])
    .option('-o, --output <file>', 'write the manifest to this file instead of stdout')
    .option('--json', 'print a JSON summary (with the manifest when -o is not given) to stdout')
    .action(async (commandLine: string[], flags: CaptureFlags, command: Command) => {
      const { captureServer, resolveClientProfile } = await import('../../src/internal.js');
      const target = targetFromFlags(commandLine, flags);
      const profile = await resolveClientProfile(flags.clientProfile);
      const manifest = await captureServer(target, {
        profile, exclude: flags.exclude, ...captureFlags(flags), ...dynamicOption(flags.dynamic),
      });
      await emit(manifest, flags);
      setExitCode(command, 0);
    });
}

async function emit(manifest: Manifest, flags: CaptureFlags): Promise<void> {
  const { entryCounts, manifestDigest, writeFileAtomic } = await import('../../src/internal.js');
  const digest = manifestDigest(manifest);
  // The digest is over the canonical bytes; the file is indented for people.
  if (flags.output !== undefined) await writeFileAtomic(flags.output, `${JSON.stringify(manifest, null, 2)}\n`);
  if (flags.json) {
    printJson({ digest, server: manifest.server, clientProfile: manifest.capture.clientProfile, protocol: { era: manifest.capture.era ?? 'legacy', version: manifest.capture.protocolVersion }, counts: entryCounts(manifest), output: flags.output ?? null, ...(flags.output === undefined ? { manifest } : {}) });
    return;
  }
  if (flags.output === undefined) printJson(manifest);
  const c = entryCounts(manifest);
  process.stderr.write(`toolseal: captured ${untrusted(manifest.server.name)}@${untrusted(manifest.server.version)} (client profile ${manifest.capture.clientProfile}, MCP ${manifest.capture.protocolVersion}): ${c.tools} tools, ${c.prompts} prompts, ${c.resources} resources, ${c.resourceTemplates} resource templates; digest ${digest}${flags.output !== undefined ? `; written to ${flags.output}` : ''}\n`);
}
