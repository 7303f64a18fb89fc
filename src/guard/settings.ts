import type { HiddenUnicodeCategory, MatchMode } from '../compare/index.js';
import type { Manifest } from '../manifest/schema.js';

/**
 * What the guard needs of a verified attestation: the signed manifest and its digest.
 * `verifyAttestation`'s result satisfies it; tests may pass a manifest they built.
 * The guard never verifies signatures itself: whoever builds this vouches for it.
 */
export interface GuardAttestation {
  manifest: Manifest;
  /** `sha256:<hex>` of the signed manifest. */
  digest: string;
  /** Who signed, as verified (free-form; recorded in the audit log). */
  signer?: unknown;
}

/** How mismatches are enforced (DESIGN §2 "Enforcement at connect time"). */
export type EnforceMode = 'block' | 'filter' | 'warn';

/**
 * The part of a policy the guard enforces. A `Policy` (from `readPolicyFile` or
 * `policyFromFlags`) satisfies it.
 */
export interface GuardSettings {
  /** `block` (default): refuse the server on any mismatch; `filter`: hide mismatching entries; `warn`: log only. */
  enforce?: EnforceMode;
  /** `exact` (default) or `subset`: whether the live server may expose fewer entries than it signed. */
  match?: MatchMode;
  /** Hidden Unicode categories tolerated in model-visible strings. Default: none. */
  allowHiddenUnicode?: readonly HiddenUnicodeCategory[];
}

/** {@link GuardSettings} with defaults applied. */
export interface ResolvedGuardSettings {
  enforce: EnforceMode;
  match: MatchMode;
  allowHiddenUnicode: readonly HiddenUnicodeCategory[];
}

/** Applies the fail-closed defaults: block, exact, no hidden Unicode. */
export function resolveGuardSettings(settings: GuardSettings = {}): ResolvedGuardSettings {
  return {
    enforce: settings.enforce ?? 'block',
    match: settings.match ?? 'exact',
    allowHiddenUnicode: settings.allowHiddenUnicode ?? [],
  };
}
