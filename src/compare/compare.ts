import { escapePointer } from '../io/strict-json.js';
import { entryDigest } from '../manifest/digest.js';
import { applyExclude } from '../manifest/exclude.js';
import { entryKey, LIST_NAMES, type ListName } from '../manifest/lists.js';
import type { DynamicList, Manifest } from '../manifest/schema.js';
import { diffValues, jsonEqual } from './diff-values.js';
import { scanManifestHiddenUnicode, type HiddenUnicodeScanOptions, type KnownEntryFindings } from './hidden-unicode.js';
import { pairRenames } from './rename.js';
import type { Change, ChangedEntry, EntryRef, ManifestDiff, MatchMode, RenamedEntry } from './schema.js';

/** Options for {@link compareManifests}. */
export interface CompareOptions {
  /** `exact` (default) or `subset`. */
  match?: MatchMode;
  /** Passed to the hidden-Unicode scan of the live manifest (e.g. allowed categories). */
  hiddenUnicode?: HiddenUnicodeScanOptions;
}

type Entry = Record<string, unknown>;

/**
 * Compares a signed (reference) manifest with a live (new) one.
 *
 * - Entries are matched by key (`name`, `uri`, `uriTemplate`); see `ManifestDiffSchema` for
 *   how paths address them. Removed/added pairs that are the same entry under a new key are
 *   reported once as `renamed` (rule in `pairRenames`).
 * - Server-level changes: `server` name/version/title, `instructions`, the `capture` client
 *   profile and capabilities (a different profile legitimately lists different entries, so it
 *   is reported, as a structural change, rather than silently compared across; the protocol
 *   era and version are recorded facts that never decide a match) and
 *   `exclude`. `artifacts` are not compared: the live capture cannot know them, and the
 *   verifier checks them against the attestation's subjects.
 * - Exclude: the caller captures the live server with `signed.exclude`. To fail closed,
 *   `signed.exclude` is applied to the live manifest here as well (a no-op when it already
 *   was), and a live manifest declaring different exclude paths is a change at `/exclude`.
 * - `ok`: `exact` — nothing added, removed, renamed, changed, no server-level change;
 *   `subset` — the same except that removed entries are allowed (the live server may expose
 *   fewer entries than it signed, never more or different).
 * - `hiddenUnicode`: findings in the live manifest *as given*, excluded paths included: an
 *   excluded field is unsigned, not unseen by the model. (The guard scanned so, verify scanned
 *   after stripping; the stricter rule is the one rule now.) They do not affect `ok`: whether
 *   they are allowed is the policy's decision (see `diffFindings`).
 *
 * @throws ManifestError `EXCLUDE_PATH_INVALID` when `signed.exclude` holds an invalid path
 */
export function compareManifests(signed: Manifest, live: Manifest, options: CompareOptions = {}): ManifestDiff {
  return compareManifestsWithKnown(signed, live, options);
}

/**
 * {@link compareManifests}, with the hidden-Unicode findings of each signed entry known to
 * the caller (all categories, as `scanHiddenUnicode` reports them), so a live entry equal
 * to a signed one is not scanned again: the same diff, every finding the same, in the same
 * order. Sound only when `signedFindings` answers for `signed` exactly as it is now, i.e.
 * neither can have changed since the findings were computed (the verifier's private,
 * deep-frozen copy of what it verified). Reused only when:
 * - the live entry *as given* is the one compared (no exclude paths: hidden Unicode is
 *   scanned in the live manifest before stripping, so a stripped copy says nothing of it);
 * - it is deep-equal to the signed entry ({@link jsonEqual}: every member name and string at
 *   the same path, so the same findings, though member order may differ);
 * - the signed entry has at most one finding: the order of several follows member order,
 *   which equality ignores, so such an entry (rare) is scanned as before.
 */
export function compareManifestsWithKnown(signed: Manifest, live: Manifest, options: CompareOptions = {}, signedFindings?: KnownEntryFindings): ManifestDiff {
  const match = options.match ?? 'exact';
  const liveStripped = applyExclude(live, signed.exclude);
  const diff = { added: [] as EntryRef[], removed: [] as EntryRef[], renamed: [] as RenamedEntry[], changed: [] as ChangedEntry[] };
  // Live entries found equal to a signed entry, and which (only when there are findings to reuse).
  const equalTo = signedFindings !== undefined && liveStripped === live ? new Map<Entry, Entry>() : undefined;
  // A dynamic list is the user's data: not signed, so not compared (still scanned below).
  for (const list of LIST_NAMES) {
    if (signed.dynamic?.includes(list as DynamicList)) continue;
    compareList(list, signed[list] as Entry[], liveStripped[list] as Entry[], diff, equalTo);
  }
  const server = compareServer(signed, liveStripped);
  const equal = diff.added.length + diff.removed.length + diff.renamed.length + diff.changed.length + server.length === 0;
  const differentOrMore = diff.added.length + diff.renamed.length + diff.changed.length + server.length > 0;
  const ok = match === 'exact' ? equal : !differentOrMore;
  const known: KnownEntryFindings | undefined = equalTo && ((list, entry) => {
    const signedEntry = equalTo.get(entry);
    const found = signedEntry === undefined ? undefined : signedFindings!(list, signedEntry);
    return found !== undefined && found.length <= 1 ? found : undefined;
  });
  return { match, equal, ok, ...diff, server, hiddenUnicode: scanManifestHiddenUnicode(live, options.hiddenUnicode, known) };
}

interface ListDiff { added: EntryRef[]; removed: EntryRef[]; renamed: RenamedEntry[]; changed: ChangedEntry[] }

function compareList(list: ListName, before: Entry[], after: Entry[], out: ListDiff, equalTo?: Map<Entry, Entry>): void {
  const keyOf = (e: Entry): string => entryKey(list, e);
  const afterByKey = new Map(after.map((e) => [keyOf(e), e]));
  const beforeKeys = new Set(before.map(keyOf));
  const removed: Entry[] = [];
  for (const entry of before) {
    const other = afterByKey.get(keyOf(entry));
    if (other === undefined) removed.push(entry);
    else if (compareEntry(list, keyOf(entry), entry, other, out)) equalTo?.set(other, entry);
  }
  const added = after.filter((e) => !beforeKeys.has(keyOf(e)));
  const pairs = pairRenames(list, removed, added);
  for (const { from, to } of pairs) {
    out.renamed.push({ list, from: keyOf(from), to: keyOf(to), changes: diffValues(from, to, entryPath(list, keyOf(to))) });
  }
  const paired = new Set(pairs.flatMap((p) => [p.from, p.to]));
  const ref = (e: Entry): EntryRef => ({ list, key: keyOf(e), digest: entryDigest(e) });
  out.removed.push(...removed.filter((e) => !paired.has(e)).map(ref));
  out.added.push(...added.filter((e) => !paired.has(e)).map(ref));
}

/** Records `after` as changed unless it equals `before`; true when equal. */
function compareEntry(list: ListName, key: string, before: Entry, after: Entry, out: ListDiff): boolean {
  // Deep equality is the same relation as equal RFC 8785 bytes, and several times cheaper than
  // canonicalizing and hashing both sides; digests are computed only for entries that differ.
  if (jsonEqual(before, after)) return true;
  const changes = diffValues(before, after, entryPath(list, key));
  out.changed.push({ list, key, digestBefore: entryDigest(before), digestAfter: entryDigest(after), changes });
  return false;
}

function compareServer(signed: Manifest, live: Manifest): Change[] {
  return [
    ...diffValues(signed.server, live.server, '/server'),
    ...diffValues(signed.instructions, live.instructions, '/instructions'),
    ...diffValues(captureFacts(signed.capture), captureFacts(live.capture), '/capture'),
    ...diffValues(signed.exclude, live.exclude, '/exclude'),
    ...diffValues(signed.dynamic, live.dynamic, '/dynamic'),
  ];
}

/**
 * The capture facts that can decide a match: the client profile and its capabilities.
 * The era and protocol version a list was read in never do: the entries are the same in
 * both eras, and a verifier captures in whichever era the live server offers.
 */
function captureFacts(capture: Manifest['capture']): Omit<Manifest['capture'], 'era' | 'protocolVersion'> {
  const { era: _era, protocolVersion: _version, ...facts } = capture;
  return facts;
}

/** The diff path of one list entry: `/<list>/<escaped key>`. */
export function entryPath(list: ListName, key: string): string {
  return `/${list}/${escapePointer(key)}`;
}
