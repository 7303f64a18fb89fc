import type { Command } from 'commander';
import type { PolicyFlags, VerifiedBundle } from '../../src/internal.js';
import { PolicyError } from '../../src/errors.js';
import { escapeTerminal } from '../../src/io/terminal.js';
import { printJson, setExitCode } from '../output.js';

interface VerifyBundleFlags extends PolicyFlags {
  bundle: string;
  policy?: string;
  staging?: boolean;
  offline?: boolean;
  json?: boolean;
}

/**
 * `toolseal verify-bundle`: the sigstore-conformance client protocol
 * (`--bundle F (--certificate-identity I --certificate-oidc-issuer U | --key PEM)
 * [--trusted-root F] FILE_OR_DIGEST`). Exit 0 verified, 1 verification failed, 2 could not run.
 */
export function registerVerifyBundle(program: Command): void {
  program
    .command('verify-bundle')
    .description('verify a Sigstore bundle over a file (or sha256:DIGEST) against an identity policy')
    .argument('<file-or-digest>', 'the signed artifact, or its digest as sha256:<64 hex>')
    .requiredOption('--bundle <file>', 'the Sigstore bundle (*.sigstore.json)')
    .option('--policy <file>', 'a toolseal policy file (instead of the identity flags)')
    .option('--certificate-identity <san>', 'expected certificate SAN, exact')
    .option('--certificate-identity-regexp <re>', 'expected certificate SAN as a regular expression, always anchored ^...$')
    .option('--certificate-oidc-issuer <url>', 'expected OIDC issuer, exact')
    .option('--github-repository <owner/name>', 'pin the source repository (Fulcio claim)')
    .option('--github-repository-id <id>', 'pin the numeric repository id')
    .option('--github-ref <glob>', 'pin the git ref, e.g. refs/tags/v* (only * is special)')
    .option('--github-workflow-ref <ref>', 'pin the workflow, owner/name/.github/workflows/f.yml@ref')
    .option('--runner-environment <env>', 'pin github-hosted or self-hosted')
    .option('--key <pem-file>', 'verify with this public key instead of a certificate identity (repeatable)', collect)
    .option('--trusted-root <file>', 'trusted_root.json to use instead of Sigstore public-good (offline)')
    .option('--offline', 'use the public-good trusted root embedded in @sigstore/tuf, no TUF refresh')
    .option('--staging', 'Sigstore staging (not built in: pass its trusted root with --trusted-root)')
    .option('--json', 'print the verified signer as JSON')
    .action(async (fileOrDigest: string, flags: VerifyBundleFlags, command: Command) => {
      if (flags.staging && !flags.trustedRoot && !flags.policy) {
        throw new PolicyError('STAGING_UNSUPPORTED', '--staging has no built-in trust material. Pass the staging trusted_root.json with --trusted-root.');
      }
      const { policyFromFlags, readPolicyFile, verifyBundleFile } = await import('../../src/internal.js');
      const policy = flags.policy ? await readPolicyFile(flags.policy) : await policyFromFlags(flags);
      const result = await verifyBundleFile({ bundlePath: flags.bundle, artifact: fileOrDigest, policy, ...(flags.offline ? { offline: true } : {}) });
      if (flags.json) printJson(summary(result));
      else process.stdout.write(`${describe(result)}\n`);
      setExitCode(command, 0);
    });
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function summary(result: VerifiedBundle): object {
  return {
    ok: true, signer: result.signer, logIndex: result.logIndex, integratedTime: result.integratedTime?.toISOString(),
    timestamps: result.timestamps.map((t) => t.toISOString()), payloadType: result.dsse?.payloadType,
  };
}

function describe(result: VerifiedBundle): string {
  const who = result.signer.kind === 'keyless'
    ? `${result.signer.subject} (issuer ${result.signer.issuer})`
    : `key ${result.signer.publicKeyFingerprint}`;
  const log = result.logIndex === undefined ? '' : `, transparency log index ${result.logIndex}`;
  return escapeTerminal(`Verified: signed by ${who}${log}.`);
}
