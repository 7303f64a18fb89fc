import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { PolicyError } from '../errors.js';
import { readJsonFile } from '../io/files.js';
import { formatZodIssues } from '../io/zod-issues.js';
import { refGlob } from '../verify/identity/match.js';
import { parsePolicy, PolicySchema, TrustPolicySchema, type Policy, type TrustPolicy } from '../policy/policy.js';

/** The OIDC issuer of GitHub Actions' workflow identity tokens. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** One namespace mapping: which servers, and who may sign for them. */
export const NamespacePolicySchema = z.strictObject({
  pattern: z.string().min(1)
    .describe('Server names this entry covers, e.g. `com.example/*` or `com.example/weather`; `*` matches any run of characters, the rest is literal, the whole name must match.'),
  identity: PolicySchema.shape.identity,
  match: z.enum(['exact', 'subset']).optional()
    .describe('How --live compares the live server with the signed manifest (default exact).'),
}).describe('Who may sign for the servers whose names match `pattern`.');

/** An audit policy file: who may sign, per registry namespace. */
export const AuditPolicySchema = z.strictObject({
  version: z.literal(1).describe('Audit policy format version.'),
  githubDefault: z.boolean().default(true)
    .describe('Apply the default for `io.github.OWNER/*` servers: signed by a GitHub Actions workflow of a repository owned by OWNER. Entries in `namespaces` take precedence.'),
  trust: TrustPolicySchema.optional().describe('Trust material for every server (default: Sigstore public-good; --trusted-root overrides).'),
  namespaces: z.array(NamespacePolicySchema).default([])
    .describe('Namespace mappings, tried in order; the first whose pattern matches the server name applies.'),
}).describe('toolseal audit policy: which signer identities are accepted for which MCP Registry namespaces.');

/** An audit policy as written. */
export type AuditPolicyInput = z.input<typeof AuditPolicySchema>;
/** A validated audit policy. */
export type AuditPolicy = z.output<typeof AuditPolicySchema>;

/** The verification policy that applies to one server, and where it came from. */
export interface ResolvedPolicy {
  policy: Policy;
  /** For reports, e.g. `namespace "com.example/*" (policy.json)` or `GitHub default for io.github.acme`. */
  origin: string;
  /** Set by the GitHub default: the certificate's source-repository owner must be this account. */
  githubOwner?: string;
}

/** Maps server names to verification policies. */
export interface NamespacePolicies {
  /** The policy for a server, or undefined when no mapping or default covers its namespace. */
  forServer(name: string): ResolvedPolicy | undefined;
}

/**
 * Builds the namespace → policy mapping. Identity keys named by path resolve against
 * `baseDir` (the policy file's folder) and are read once here.
 *
 * @throws PolicyError `AUDIT_POLICY_INVALID`, `POLICY_INVALID`, `POLICY_KEY_UNREADABLE`
 */
export async function buildNamespacePolicies(value: unknown, source: string, baseDir: string, trustOverride?: TrustPolicy): Promise<NamespacePolicies> {
  const parsed = AuditPolicySchema.safeParse(value);
  if (!parsed.success) {
    throw new PolicyError('AUDIT_POLICY_INVALID', `${source} is not a valid toolseal audit policy: ${formatZodIssues(parsed.error)}. See schemas/audit-policy.schema.json.`);
  }
  const audit = parsed.data;
  const trust = trustOverride ?? audit.trust ?? { source: 'public-good' as const };
  const entries = await Promise.all(audit.namespaces.map(async (ns, i) => ({
    glob: refGlob(ns.pattern),
    resolved: {
      policy: await parsePolicy({ version: 1, identity: ns.identity, trust, ...(ns.match ? { match: ns.match } : {}) }, `${source} namespaces[${i}]`, baseDir),
      origin: `namespace "${ns.pattern}" (${source})`,
    },
  })));
  return {
    forServer(name: string): ResolvedPolicy | undefined {
      const hit = entries.find((e) => e.glob.test(name));
      if (hit) return hit.resolved;
      return audit.githubDefault ? githubDefaultPolicy(name, trust) : undefined;
    },
  };
}

/** Reads an audit policy file; without a file, only the GitHub default applies. */
export async function loadNamespacePolicies(path: string | undefined, trustOverride?: TrustPolicy): Promise<NamespacePolicies> {
  if (path === undefined) return buildNamespacePolicies({ version: 1 }, 'the built-in audit policy', process.cwd(), trustOverride);
  return buildNamespacePolicies(await readJsonFile(path), path, dirname(resolve(path)), trustOverride);
}

/**
 * The default for `io.github.OWNER/NAME`: the registry let OWNER publish under that
 * namespace by GitHub login, so the attestation must come from a GitHub Actions
 * workflow in one of OWNER's repositories (any repository name). GitHub logins are
 * case-insensitive, so the owner compares case-insensitively; the pattern is anchored.
 */
export function githubDefaultPolicy(name: string, trust: TrustPolicy): ResolvedPolicy | undefined {
  const match = /^io\.github\.([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\//.exec(name);
  if (!match) return undefined;
  const owner = match[1]!;
  const policy = PolicySchema.parse({
    version: 1,
    identity: { issuer: GITHUB_ACTIONS_ISSUER, subjectPattern: `https://github\\.com/${caseInsensitive(owner)}/[A-Za-z0-9._-]+/.+` },
    trust,
  });
  return { policy, origin: `GitHub default for io.github.${owner}`, githubOwner: owner };
}

/**
 * `acme-1` → `[Aa][Cc][Mm][Ee]-1`: case-insensitive without a flag, since the verifier
 * compiles the pattern itself. A GitHub login has only letters, digits and `-`, none special.
 */
function caseInsensitive(login: string): string {
  return [...login].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join('');
}
