import type { Command } from 'commander';
import type { Policy, PolicyFlags } from '../src/internal.js';
import { collect } from './server-flags.js';

/** Policy flags shared by `verify`, `proxy` and `verify-bundle`-like commands. */
export interface PolicyOptionFlags extends PolicyFlags {
  policy?: string;
  match?: string;
  minVersion?: string;
  serverName?: string;
  refuseDynamicLists?: boolean;
}

/** Adds `--policy FILE` and the inline identity/trust flags (same names as cosign where they overlap). */
export function addPolicyOptions(command: Command): Command {
  return command
    .option('--policy <file>', 'a toolseal policy file (see schemas/policy.schema.json)')
    .option('--certificate-identity <san>', 'expected certificate SAN, exact (e.g. https://github.com/acme/weather/.github/workflows/release.yml@refs/tags/v1.4.0)')
    .option('--certificate-identity-regexp <re>', 'expected certificate SAN as a regular expression, always anchored ^...$')
    .option('--certificate-oidc-issuer <url>', 'expected OIDC issuer, exact (e.g. https://token.actions.githubusercontent.com)')
    .option('--github-repository <owner/name>', 'pin the source repository (decoded from the certificate)')
    .option('--github-repository-id <id>', 'pin the numeric repository id')
    .option('--github-ref <glob>', 'pin the git ref, e.g. refs/tags/v* (only * is special)')
    .option('--github-workflow-ref <ref>', 'pin the workflow, owner/name/.github/workflows/f.yml@ref')
    .option('--runner-environment <env>', 'pin github-hosted or self-hosted')
    .option('--key <pem-file>', 'verify with this public key instead of a certificate identity (repeatable)', collect)
    .option('--trusted-root <file>', 'trusted_root.json to use instead of Sigstore public-good (offline verification)')
    .option('--match <mode>', 'exact (default) or subset: the live server may expose fewer entries, never more or different')
    .option('--min-version <semver>', 'refuse signed manifests of an older server version (rollback)')
    .option('--server-name <name>', 'the signed manifest must be for this server name, exact')
    .option('--refuse-dynamic-lists', 'refuse signed manifests that declare lists dynamic (not signed), as the policy field refuseDynamicLists does');
}

/** The policy from `--policy` or from inline flags, with `--match` / `--min-version` applied on top. */
export async function loadPolicy(flags: PolicyOptionFlags): Promise<Policy> {
  const { resolvePolicy } = await import('../src/internal.js');
  const { policy, ...rest } = flags;
  return resolvePolicy({ ...rest, ...(policy !== undefined ? { policyPath: policy } : {}) });
}
