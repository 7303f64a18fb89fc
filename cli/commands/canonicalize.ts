import type { Command } from 'commander';
import { setExitCode } from '../output.js';

/**
 * `toolseal canonicalize MANIFEST`: the RFC 8785 bytes the attestation's subject digest is
 * computed over; other Sigstore verifiers (cosign verify-blob-attestation) take this file
 * as the blob.
 */
export function registerCanonicalize(program: Command): void {
  program
    .command('canonicalize')
    .description('write a manifest\'s canonical (RFC 8785) bytes, the blob its signature\'s subject digest covers')
    .argument('<manifest>', 'a manifest file')
    .option('-o, --output <file>', 'write the bytes here instead of stdout')
    .action(async (path: string, flags: { output?: string }, cmd: Command) => {
      const { canonicalBytes, manifestDigest, readManifestFile, writeFileAtomic } = await import('../../src/internal.js');
      const manifest = await readManifestFile(path);
      const bytes = canonicalBytes(manifest);
      if (flags.output) {
        await writeFileAtomic(flags.output, bytes);
        process.stderr.write(`toolseal: wrote ${flags.output}; digest ${manifestDigest(manifest)}\n`);
      } else {
        process.stdout.write(bytes);
      }
      setExitCode(cmd, 0);
    });
}
