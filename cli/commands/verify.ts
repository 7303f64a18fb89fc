import type { Command } from 'commander';
import type { Verdict } from '../../src/internal.js';
import { printJson, setExitCode } from '../output.js';
import { addPolicyOptions, loadPolicy, type PolicyOptionFlags } from '../policy-options.js';
import { addServerOptions, hasServer, targetFromFlags, captureFlags, usage, type ServerFlags } from '../server-flags.js';

interface VerifyFlags extends ServerFlags, PolicyOptionFlags {
  bundle: string;
  manifest?: string;
  offline?: boolean;
  json?: boolean;
}

/**
 * `toolseal verify --bundle B`: verifies who signed the manifest (policy from --policy
 * or flags), then compares it with a live server or a manifest file when one is given.
 * Exit 0 verified, 1 verification failed (with the reasons and the diff), 2 could not run.
 */
export function registerVerify(program: Command): void {
  const command = program
    .command('verify')
    .description('verify a signed manifest bundle, and optionally that a live server (or manifest file) still matches it')
    .usage('--bundle FILE (--policy FILE | identity flags) [--stdio -- CMD ... | --url URL | --manifest FILE] [options]')
    .requiredOption('--bundle <file>', 'the bundle from toolseal sign (mcp-manifest.sigstore.json)')
    .option('--manifest <file>', 'compare the signed manifest with this manifest file');
  addServerOptions(command, false);
  addPolicyOptions(command)
    .option('--offline', 'with Sigstore public-good: use the trusted root shipped with toolseal, no TUF refresh, no network')
    .option('--json', 'print the verdict as JSON (schemas/verdict.schema.json)')
    .action(async (commandLine: string[], flags: VerifyFlags, cmd: Command) => {
      const {
        assertSigstoreBundle, createManifestVerifier, readJsonFile, readManifestFile, renderVerdict, trustSourceForPolicy,
      } = await import('../../src/internal.js');
      const live = hasServer(commandLine, flags);
      if (live && flags.manifest) throw usage('Compare with either a live server or --manifest, not both.');
      const policy = await loadPolicy(flags);
      // The bundle before the trust material: a wrong path should not wait for the network.
      const bundle = await readJsonFile(flags.bundle);
      assertSigstoreBundle(bundle, flags.bundle);
      const verifier = await createManifestVerifier({ policy, trustSource: trustSourceForPolicy(policy, { offline: Boolean(flags.offline) }) });
      let verdict: Verdict;
      if (live) verdict = await verifier.verifyServer(bundle, targetFromFlags(commandLine, flags), captureFlags(flags));
      else verdict = verifier.verify(bundle, flags.manifest ? await readManifestFile(flags.manifest) : undefined, flags.bundle);
      if (flags.json) printJson(verdict);
      else process.stdout.write(renderVerdict(verdict));
      setExitCode(cmd, verdict.ok ? 0 : 1);
    });
}
