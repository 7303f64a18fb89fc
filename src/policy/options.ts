import type { MatchMode } from '../compare/schema.js';
import { InputError, PolicyError } from '../errors.js';
import { PolicySchema, readPolicyFile, type Policy } from './policy.js';
import { CERT_FLAGS, policyFromFlags, type PolicyFlags } from './flags.js';

/** A policy as a front end receives it: a policy file or inline identity options, plus overrides. */
export interface PolicyOptions extends PolicyFlags {
  /** A policy file; then no inline identity or trust option may be given. */
  policyPath?: string;
  /** `exact` or `subset`, overriding the policy's match mode. */
  match?: string;
  /** Overrides the policy's `minVersion` (rollback protection). */
  minVersion?: string;
  /** Overrides the policy's `serverName` (the server the signed manifest must be for). */
  serverName?: string;
  /** Refuse signed manifests that declare dynamic lists, whatever the policy file says (it can only tighten). */
  refuseDynamicLists?: boolean;
}

/** Every inline option that a policy file would contradict, named as on the command line without dashes. */
const INLINE_FLAGS: readonly [keyof PolicyFlags, string][] = [...CERT_FLAGS, ['key', '--key'], ['trustedRoot', '--trusted-root']];
const INLINE = INLINE_FLAGS.map(([key, flag]): [keyof PolicyFlags, string] => [key, flag.slice(2)]);

/**
 * The policy from a file or from inline options, with `match`, `minVersion`, `serverName` and
 * `refuseDynamicLists` (only ever turned on) applied on top. A file combined with inline
 * identity options is refused rather than merged: someone who adds a key next to a policy file
 * expects it to count, and it would not.
 *
 * @param baseDir - where relative key and trusted-root paths of inline options resolve (the cwd)
 * @throws PolicyError `POLICY_OPTIONS_CONFLICT`, plus those of `readPolicyFile` / `policyFromFlags`;
 *   InputError `MATCH_MODE_INVALID`, `MIN_VERSION_INVALID`
 */
export async function resolvePolicy(options: PolicyOptions, baseDir = process.cwd()): Promise<Policy> {
  const match = options.match === undefined ? undefined : parseMatchMode(options.match);
  if (options.minVersion !== undefined && !PolicySchema.shape.minVersion.safeParse(options.minVersion).success) {
    throw new InputError('MIN_VERSION_INVALID', `The minimum version "${options.minVersion}" is not a semantic version such as 1.4.0.`);
  }
  if (options.policyPath !== undefined) {
    const inline = INLINE.filter(([key]) => options[key] !== undefined).map(([, name]) => name);
    if (inline.length > 0) {
      throw new PolicyError('POLICY_OPTIONS_CONFLICT', `The policy file ${options.policyPath} cannot be combined with ${inline.join(', ')}; put them in the policy file or drop the policy file.`);
    }
  }
  const policy = options.policyPath !== undefined ? await readPolicyFile(options.policyPath) : await policyFromFlags(options, baseDir);
  return {
    ...policy,
    ...(match ? { match } : {}),
    ...(options.minVersion ? { minVersion: options.minVersion } : {}),
    ...(options.serverName ? { serverName: options.serverName } : {}),
    ...(options.refuseDynamicLists ? { refuseDynamicLists: true } : {}),
  };
}

/**
 * Checks a match mode named by a user.
 *
 * @throws InputError `MATCH_MODE_INVALID`
 */
export function parseMatchMode(value: string): MatchMode {
  if (value === 'exact' || value === 'subset') return value;
  throw new InputError('MATCH_MODE_INVALID', `The match mode is exact or subset, not "${value}".`);
}
