import { PolicyError } from '../errors.js';
import { KeylessIdentitySchema, parsePolicy, type Policy, type PolicyInput } from './policy.js';

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

/** The certificate-identity options and their CLI flag names (the Action's inputs use the same names). */
export const CERT_FLAGS: readonly [keyof PolicyFlags, string][] = [
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
  if (keys.length > 0) return parsePolicy({ version: 1, identity: { keys }, trust }, SOURCE, baseDir);
  const identity = keylessFromFlags(flags);
  checkKeylessFlags(identity);
  return parsePolicy({ version: 1, identity, trust }, SOURCE, baseDir);
}

/** How errors from {@link parsePolicy} name a policy made of flags. */
const SOURCE = 'the policy from the command-line flags';

/** The flag each keyless identity field comes from. */
const FIELD_FLAGS: Record<string, string> = {
  issuer: '--certificate-oidc-issuer', subject: '--certificate-identity', subjectPattern: '--certificate-identity-regexp',
  'github.repository': '--github-repository', 'github.repositoryId': '--github-repository-id', 'github.ref': '--github-ref',
  'github.workflowRef': '--github-workflow-ref', 'github.runnerEnvironment': '--runner-environment',
};

/**
 * Validates the keyless identity the flags make before it becomes a policy, so a bad value
 * is reported by its flag (`--runner-environment "moon": ...`) rather than as a policy
 * field inside a union the user never wrote.
 */
function checkKeylessFlags(identity: PolicyInput['identity']): void {
  const result = KeylessIdentitySchema.safeParse(identity);
  if (result.success) return;
  const problems = result.error.issues.slice(0, 5).map((issue) => {
    const field = issue.path.join('.');
    const value = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey], identity);
    return `${FIELD_FLAGS[field] ?? field} ${JSON.stringify(value)}: ${issue.message}`;
  });
  throw new PolicyError('POLICY_INVALID', `${problems.join('; ')}. Fix the flag; --help lists each one.`);
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
