import { VerificationError } from '../../errors.js';
import type { GithubClaimsPolicy, KeylessIdentityPolicy } from '../../policy/policy.js';
import type { FulcioClaimName } from './fulcio-oids.js';
import type { KeylessSignerIdentity } from './types.js';

const GITHUB_SERVER = 'https://github.com/';

/** Compiles a policy's subject pattern, always anchored: the whole SAN must match. */
export function anchoredPattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

/** Compiles a ref glob: `*` matches any run of characters, everything else is literal. */
export function refGlob(glob: string): RegExp {
  const body = glob.split('*').map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 'su');
}

/**
 * Checks a verified keyless signer against one acceptable identity. Issuer and subject
 * compare exactly; a subject pattern is anchored; GitHub pins compare with the decoded
 * Fulcio claims.
 *
 * @throws VerificationError `ISSUER_MISMATCH`, `SUBJECT_MISMATCH` or `GITHUB_CLAIM_MISMATCH`
 */
export function matchKeylessIdentity(signer: KeylessSignerIdentity, expected: KeylessIdentityPolicy): void {
  if (signer.issuer !== expected.issuer) {
    throw new VerificationError('ISSUER_MISMATCH', `The signing certificate was issued for OIDC issuer "${signer.issuer}", but the policy expects "${expected.issuer}".`);
  }
  if (expected.subject !== undefined && signer.subject !== expected.subject) {
    throw new VerificationError('SUBJECT_MISMATCH', `The bundle was signed by "${signer.subject}", but the policy expects exactly "${expected.subject}".`);
  }
  if (expected.subjectPattern !== undefined && !anchoredPattern(expected.subjectPattern).test(signer.subject)) {
    throw new VerificationError('SUBJECT_MISMATCH', `The bundle was signed by "${signer.subject}", which does not match the whole of the pattern ^(?:${expected.subjectPattern})$ from the policy.`);
  }
  if (expected.github) matchGithub(signer, expected.github);
}

/**
 * Checks a signer against a list of acceptable identities; any one may match.
 * With one identity its precise mismatch is reported; with several, each one's.
 */
export function matchAnyKeylessIdentity(signer: KeylessSignerIdentity, identities: KeylessIdentityPolicy[]): KeylessIdentityPolicy {
  const failures: VerificationError[] = [];
  for (const identity of identities) {
    try {
      matchKeylessIdentity(signer, identity);
      return identity;
    } catch (err) {
      if (!(err instanceof VerificationError)) throw err;
      failures.push(err);
    }
  }
  if (failures.length === 1) throw failures[0]!;
  throw new VerificationError('IDENTITY_MISMATCH', `The signer matches none of the ${identities.length} identities the policy accepts: ${failures.map((f, i) => `(${i + 1}) ${f.message}`).join(' ')}`);
}

function matchGithub(signer: KeylessSignerIdentity, pins: GithubClaimsPolicy): void {
  const checks: [string, FulcioClaimName, string | undefined, (found: string) => boolean][] = [
    ['repository', 'sourceRepositoryUri', pins.repository && githubUrl(pins.repository), (f) => f === githubUrl(pins.repository!)],
    ['repositoryId', 'sourceRepositoryIdentifier', pins.repositoryId, (f) => f === pins.repositoryId],
    ['repositoryOwnerId', 'sourceRepositoryOwnerIdentifier', pins.repositoryOwnerId, (f) => f === pins.repositoryOwnerId],
    ['ref', 'sourceRepositoryRef', pins.ref, (f) => refGlob(pins.ref!).test(f)],
    ['workflowRef', 'buildConfigUri', pins.workflowRef && githubUrl(pins.workflowRef), (f) => f === githubUrl(pins.workflowRef!)],
    ['runnerEnvironment', 'runnerEnvironment', pins.runnerEnvironment, (f) => f === pins.runnerEnvironment],
    ['environment', 'deploymentEnvironment', pins.environment, (f) => f === pins.environment],
  ];
  for (const [pin, claim, expected, ok] of checks) {
    if (expected === undefined) continue;
    const found = signer.claims[claim];
    if (found === undefined || !ok(found)) {
      const what = found === undefined ? 'the certificate does not carry that claim' : `the certificate says "${found}"`;
      throw new VerificationError('GITHUB_CLAIM_MISMATCH', `The policy pins github.${pin} to "${expected}", but ${what}.`);
    }
  }
}

/** `owner/name[...]` means github.com; a full URL (GitHub Enterprise) is taken as is. */
function githubUrl(value: string): string {
  return /^https?:\/\//.test(value) ? value : GITHUB_SERVER + value;
}
