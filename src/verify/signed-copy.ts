import { scanValueHiddenUnicode } from '../compare/hidden-unicode.js';
import type { HiddenUnicodeFinding } from '../compare/schema.js';
import { deepFreeze } from '../io/deep-freeze.js';
import { entryKey, type ListName } from '../manifest/lists.js';
import type { Manifest } from '../manifest/schema.js';
import { frozenJsonSnapshot } from './cache.js';

/**
 * The verifier's own copy of a signed manifest, taken when the bundle verified: deep-frozen
 * and never handed out, so what a cached connect-time check compares against is what was
 * verified, whatever a caller later does to `VerifiedAttestation.manifest` (which stays the
 * caller's to change). Because it cannot change, each entry's hidden-Unicode findings can be
 * computed once (on first use) and stand for every live entry equal to it.
 */
export class SignedCopy {
  /** The signed manifest as verified (deep-frozen). */
  readonly manifest: Manifest;
  private readonly findings = new Map<ListName, WeakMap<object, readonly HiddenUnicodeFinding[]>>();

  constructor(verified: Manifest) {
    // A manifest that passed validation is plain JSON data: copied and frozen in one walk.
    this.manifest = (frozenJsonSnapshot(verified) as Manifest | undefined) ?? deepFreeze(structuredClone(verified));
  }

  /**
   * The findings of one entry of {@link manifest} (all categories, as `scanHiddenUnicode`
   * reports them under `list`), as fresh objects: a verdict that carries them can be changed
   * by its reader without touching this copy.
   */
  readonly entryFindings = (list: ListName, entry: Record<string, unknown>): readonly HiddenUnicodeFinding[] => {
    let byEntry = this.findings.get(list);
    if (!byEntry) this.findings.set(list, (byEntry = new WeakMap()));
    let found = byEntry.get(entry);
    if (!found) byEntry.set(entry, (found = deepFreeze(scanValueHiddenUnicode(entry, [list, entryKey(list, entry)]))));
    return found.length === 0 ? found : found.map((f) => ({ ...f, codePoints: [...f.codePoints] }));
  };
}
