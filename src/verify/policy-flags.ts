import { PolicyError } from '../errors.js';
import { parsePolicy, type Policy, type PolicyInput } from './policy.js';

/** CLI flags that describe a policy inline (the same names as cosign where they overlap). */
export interface PolicyFlags {
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  githubRepository?: string;
  githubRepositoryId?: string;
  githubRef?: string;
  githubWorkflowRef?: string;
  runnerEnvironment?: string;
  /** One or more PEM public key files. */
  key?: string | string[];
  trustedRoot?: string;
}

const CERT_FLAGS: [keyof PolicyFlags, string][] = [
  ['certificateIdentity', '--certificate-identity'], ['certificateIdentityRegexp', '--certificate-identity-regexp'],
  ['certificateOidcIssuer', '--certificate-oidc-issuer'], ['githubRepository', '--github-repository'],
  ['githubRepositoryId', '--github-repository-id'], ['githubRef', '--github-ref'],
  ['githubWorkflowRef', '--github-workflow-ref'], ['runnerEnvironment', '--runner-environment'],
];

/**
 * Builds the same {@link Policy} a policy file would give, from CLI flags. Contradictions
 * and missing identity are refused (fail closed): a policy that names nobody would
 * accept anybody.
 *
 * @param baseDir - directory relative key and trusted-root paths resolve against (the cwd)
 * @throws PolicyError `POLICY_FLAGS_CONFLICT`, `POLICY_FLAGS_MISSING` or `POLICY_INVALID`
 */
export async function policyFromFlags(flags: PolicyFlags, baseDir = process.cwd()): Promise<Policy> {
  const keys = flags.key === undefined ? [] : [flags.key].flat();
  const certFlags = CERT_FLAGS.filter(([k]) => flags[k] !== undefined).map(([, name]) => name);
  if (keys.length > 0 && certFlags.length > 0) {
    throw new PolicyError('POLICY_FLAGS_CONFLICT', `--key cannot be combined with ${certFlags.join(', ')}: a bundle is signed either with a key or with a certificate. Drop one of them.`);
  }
  const trust = flags.trustedRoot === undefined ? undefined : { source: 'trusted-root' as const, path: flags.trustedRoot };
  if (keys.length > 0) return parsePolicy({ version: 1, identity: { keys }, trust }, 'the command-line flags', baseDir);
  return parsePolicy({ version: 1, identity: keylessFromFlags(flags), trust }, 'the command-line flags', baseDir);
}

function keylessFromFlags(flags: PolicyFlags): PolicyInput['identity'] {
  if (flags.certificateIdentity !== undefined && flags.certificateIdentityRegexp !== undefined) {
    throw new PolicyError('POLICY_FLAGS_CONFLICT', 'Give either --certificate-identity (exact) or --certificate-identity-regexp (anchored pattern), not both.');
  }
  if (flags.certificateIdentity === undefined && flags.certificateIdentityRegexp === undefined) {
    throw new PolicyError('POLICY_FLAGS_MISSING', 'No signer identity was given, so any signer would be accepted. Add --certificate-identity (or --certificate-identity-regexp) with --certificate-oidc-issuer, or --key for key-based signing, or use --policy FILE.');
  }
  if (flags.certificateOidcIssuer === undefined) {
    throw new PolicyError('POLICY_FLAGS_MISSING', 'No OIDC issuer was given. Add --certificate-oidc-issuer (e.g. https://token.actions.githubusercontent.com for GitHub Actions).');
  }
  const github = {
    repository: flags.githubRepository, repositoryId: flags.githubRepositoryId, ref: flags.githubRef,
    workflowRef: flags.githubWorkflowRef, runnerEnvironment: flags.runnerEnvironment,
  };
  const hasGithub = Object.values(github).some((v) => v !== undefined);
  return {
    issuer: flags.certificateOidcIssuer,
    subject: flags.certificateIdentity,
    subjectPattern: flags.certificateIdentityRegexp,
    github: hasGithub ? (dropUndefined(github) as never) : undefined,
  };
}

function dropUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
