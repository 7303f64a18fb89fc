import type { Command } from 'commander';
import { printJson, setExitCode } from '../output.js';

/** `toolseal keygen [PREFIX]`: a new ECDSA P-256 key pair for key-based signing. */
export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description('create an ECDSA P-256 key pair for key-based signing (PREFIX.pem, PREFIX.pub.pem)')
    .argument('[prefix]', 'file name prefix', 'toolseal-key')
    .option('--json', 'print the paths and fingerprint as JSON')
    .action(async (prefix: string, flags: { json?: boolean }, cmd: Command) => {
      const { writeKeyPair } = await import('../../src/internal.js');
      const pair = await writeKeyPair(prefix);
      if (flags.json) printJson(pair);
      else process.stdout.write(`Wrote ${pair.privateKeyPath} (private, keep it secret) and ${pair.publicKeyPath} (public, give it to verifiers); fingerprint ${pair.fingerprint}\n`);
      setExitCode(cmd, 0);
    });
}
