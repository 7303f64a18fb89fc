import type { Command } from 'commander';
import type { BundleClaims, describeSigner as DescribeSigner } from '../../src/internal.js';
import { escapeTerminal } from '../../src/io/terminal.js';
import { printJson, setExitCode } from '../output.js';

/** `toolseal inspect B`: what a bundle claims, read without verifying it. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show what a bundle claims (signer, log entry, server, tools) WITHOUT verifying it')
    .argument('<bundle>', 'a bundle from toolseal sign')
    .option('--json', 'print the claims as JSON')
    .action(async (path: string, flags: { json?: boolean }, cmd: Command) => {
      const { describeSigner, inspectBundle, readJsonFile } = await import('../../src/internal.js');
      const claims = inspectBundle(await readJsonFile(path), path);
      if (flags.json) printJson(claims);
      else process.stdout.write(render(claims, describeSigner));
      setExitCode(cmd, 0);
    });
}

function render(c: BundleClaims, describeSigner: typeof DescribeSigner): string {
  const signer = c.signer === undefined ? 'none' : describeSigner(c.signer);
  const lines = [
    'UNVERIFIED claims of this bundle (run toolseal verify to check them):',
    `  server      ${c.server ? `${c.server.name} ${c.server.version}` : '?'}`,
    `  manifest    ${c.manifestDigest ?? '?'}`,
    `  entries     ${c.counts ? `${c.counts.tools} tools, ${c.counts.prompts} prompts, ${c.counts.resources} resources, ${c.counts.resourceTemplates} resource templates` : '?'}`,
    `  profile     ${c.clientProfile ?? '?'}`,
    `  signer      ${signer}`,
    `  log entry   ${c.log ? `index ${c.log.index} (${c.log.kind})${c.log.integratedTime ? ` at ${c.log.integratedTime}` : ''}` : 'none'}`,
    `  timestamps  ${c.timestampAuthorities} from timestamp authorities`,
    ...(c.artifacts ? [`  artifacts   ${c.artifacts.join(', ')}`] : []),
    ...(c.payloadProblem ? [`  problem     ${c.payloadProblem}`] : []),
  ];
  // Everything here is the bundle's unverified word: each line escaped for the terminal.
  return `${lines.map((l) => escapeTerminal(l)).join('\n')}\n`;
}
