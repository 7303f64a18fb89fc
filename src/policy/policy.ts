import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { HiddenUnicodeCategorySchema } from '../compare/schema.js';
import { PolicyError, ToolsealError } from '../errors.js';
import { readJsonFile } from '../io/files.js';
import { formatZodIssues } from '../io/zod-issues.js';
import { readPublicKeyPem, looksLikePem } from './keys.js';

/** GitHub pins, compared with the Fulcio claims decoded from the signing certificate. */
export const GithubClaimsPolicySchema = z.strictObject({
  repository: z.string().min(1).optional()
    .describe('Source repository as `owner/name` (github.com) or a full URL (GitHub Enterprise); compared exactly with Fulcio extension .1.12 (Source Repository URI).'),
  repositoryId: z.string().regex(/^\d+$/).optional()
    .describe('Immutable numeric repository id; compared exactly with Fulcio extension .1.15. Pin this: a repository name can be deleted and re-registered by someone else.'),
  repositoryOwnerId: z.string().regex(/^\d+$/).optional()
    .describe('Immutable numeric id of the repository owner; compared exactly with Fulcio extension .1.17.'),
  ref: z.string().min(1).optional()
    .describe('Git ref the run was based on, e.g. `refs/tags/v*`; a glob where only `*` is special (any run of characters), anchored at both ends; compared with Fulcio extension .1.14.'),
  workflowRef: z.string().min(1).optional()
    .describe('The top-level workflow, `owner/name/.github/workflows/file.yml@ref` (GitHub\'s `workflow_ref` claim) or a full URL; compared exactly with Fulcio extension .1.18 (Build Config URI).'),
  runnerEnvironment: z.enum(['github-hosted', 'self-hosted']).optional()
    .describe('Where the job ran; compared exactly with Fulcio extension .1.11.'),
  environment: z.string().min(1).optional()
    .describe('GitHub deployment environment of the job; compared exactly with Fulcio extension .1.23.'),
}).describe('GitHub Actions pins; every field given must match, absent fields are not checked.');

/** One acceptable keyless signer. */
export const KeylessIdentitySchema = z.strictObject({
  issuer: z.string().min(1).describe('OIDC issuer, compared exactly, e.g. `https://token.actions.githubusercontent.com`.'),
  subject: z.string().min(1).optional().describe('Certificate SAN (workflow URI or e-mail), compared exactly.'),
  subjectPattern: z.string().min(1).optional()
    .describe('Regular expression (JavaScript, `u` flag) for the SAN; toolseal always anchors it as `^(?:…)$`, so it must match the whole SAN.'),
  github: GithubClaimsPolicySchema.optional(),
}).refine((id) => (id.subject === undefined) !== (id.subjectPattern === undefined), {
  message: 'give exactly one of "subject" or "subjectPattern"',
}).refine((id) => id.subjectPattern === undefined || compiles(id.subjectPattern), {
  message: 'subjectPattern is not a valid regular expression', path: ['subjectPattern'],
}).describe('A keyless (Fulcio certificate) signer: issuer plus exact subject or anchored subject pattern.');

/** Key-based signing: the bundle must verify with one of these keys. */
export const KeyIdentitySchema = z.strictObject({
  keys: z.array(z.string().min(1)).min(1)
    .describe('Public keys (PEM text, or paths to PEM files relative to the policy file); any one may have signed.'),
}).describe('Key-based identity for private infrastructure without Fulcio.');

/** Where trust material comes from. */
export const TrustPolicySchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('public-good').describe('Sigstore public-good: trusted root through TUF, cached on disk.') }),
  z.strictObject({
    source: z.literal('trusted-root'),
    path: z.string().min(1).describe('A trusted_root.json file (relative to the policy file), for fully offline verification.'),
  }),
  z.strictObject({
    source: z.literal('tuf'),
    mirror: z.url({ protocol: /^https?$/ }).describe('TUF repository URL of a private Sigstore instance.'),
    root: z.string().min(1).describe('The initial TUF root.json of that repository (relative to the policy file).'),
  }),
]).describe('Trust material: Sigstore public-good, a trusted_root.json file, or a private instance via TUF.');

/** A toolseal verification policy (DESIGN §2 Policy). */
export const PolicySchema = z.strictObject({
  version: z.literal(1).describe('Policy format version.'),
  identity: z.union([KeylessIdentitySchema, z.array(KeylessIdentitySchema).min(1), KeyIdentitySchema])
    .describe('Who may sign: one keyless identity, a list of them (any one may sign), or public keys.'),
  trust: TrustPolicySchema.default({ source: 'public-good' }),
  match: z.enum(['exact', 'subset']).default('exact')
    .describe('`exact`: the live lists equal the signed ones; `subset`: the live server may expose fewer entries, never more or different.'),
  enforce: z.enum(['block', 'filter', 'warn']).default('block')
    .describe('At connect time: refuse the server, hide mismatching entries, or only log.'),
  minVersion: z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/).optional()
    .describe('Lowest acceptable signed `server.version` (semver), against rollback to an older signed manifest.'),
  manifestDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/).optional()
    .describe('Pin one signed manifest by digest (`sha256:<hex>`).'),
  serverName: z.string().min(1).optional()
    .describe('The signed manifest must be for this server (`server.name`, exact), so a signer\'s manifest for one server cannot be presented by another (matters most with bundles the server itself offers).'),
  refuseDynamicLists: z.boolean().optional()
    .describe('Refuse signed manifests that declare dynamic lists (`dynamic`: resources or resource templates the publisher did not sign). Default: accept them, and say in the verdict that they were not signed.'),
  allowModelVisibleExclude: z.array(z.string().regex(/^(\/[^/]*)+$/)).default([])
    .describe('Exclude paths a signed manifest may have although they cover text a model reads (descriptions, schemas, instructions, ...), each exactly as the manifest writes it; none by default, so such a manifest is refused. The verdict lists the ones allowed as unchecked.'),
  allowHiddenUnicode: z.array(HiddenUnicodeCategorySchema).default([])
    .describe('Hidden Unicode classes allowed in model-visible strings; none by default (one U+FE0F after an emoji is always allowed).'),
}).describe('toolseal verification policy: who may sign, which trust material, and what counts as a match.');

/** A policy as written in a file (defaults not yet applied). */
export type PolicyInput = z.input<typeof PolicySchema>;
/** A validated policy with defaults applied; key paths already replaced by their PEM text. */
export type Policy = z.output<typeof PolicySchema>;
/** One acceptable keyless signer. */
export type KeylessIdentityPolicy = z.output<typeof KeylessIdentitySchema>;
/** GitHub pins of a keyless identity. */
export type GithubClaimsPolicy = z.output<typeof GithubClaimsPolicySchema>;
/** Where trust material comes from. */
export type TrustPolicy = z.output<typeof TrustPolicySchema>;

/** The identity part of a policy, normalized: a list of keyless identities, or PEM keys. */
export type IdentityPolicy =
  | { kind: 'keyless'; identities: KeylessIdentityPolicy[] }
  | { kind: 'key'; keys: string[] };

/** Normalizes `policy.identity` into {@link IdentityPolicy}. */
export function identityPolicyOf(policy: Pick<Policy, 'identity'>): IdentityPolicy {
  const id = policy.identity;
  if (Array.isArray(id)) return { kind: 'keyless', identities: id };
  if ('keys' in id) return { kind: 'key', keys: id.keys };
  return { kind: 'keyless', identities: [id] };
}

/**
 * Validates a parsed policy document. Relative key and trust paths resolve against
 * `baseDir`; key files are read, so the returned policy holds PEM text only.
 *
 * @throws PolicyError `POLICY_INVALID` naming `source` and each problem
 */
export async function parsePolicy(value: unknown, source: string, baseDir: string): Promise<Policy> {
  const parsed = PolicySchema.safeParse(value);
  if (!parsed.success) {
    throw new PolicyError('POLICY_INVALID', `${source} is not a valid toolseal policy: ${formatZodIssues(parsed.error)}. See schemas/policy.schema.json.`);
  }
  const policy = parsed.data;
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  if (!Array.isArray(policy.identity) && 'keys' in policy.identity) {
    const keys = await Promise.all(policy.identity.keys.map((k) => (looksLikePem(k) ? k : readKey(at(k), source))));
    policy.identity = { keys };
  }
  if (policy.trust.source === 'trusted-root') policy.trust = { ...policy.trust, path: at(policy.trust.path) };
  if (policy.trust.source === 'tuf') policy.trust = { ...policy.trust, root: at(policy.trust.root) };
  return policy;
}

/**
 * Reads a policy file strictly (duplicate keys, unknown fields and bad values are errors).
 *
 * @throws PolicyError `POLICY_INVALID`, or InputError when the file cannot be read as JSON
 */
export async function readPolicyFile(path: string): Promise<Policy> {
  return parsePolicy(await readJsonFile(path), path, dirname(resolve(path)));
}

async function readKey(path: string, source: string): Promise<string> {
  try {
    return await readPublicKeyPem(path);
  } catch (err) {
    if (err instanceof ToolsealError) {
      throw new PolicyError('POLICY_KEY_UNREADABLE', `${source} names the key ${path}, which cannot be used: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}
