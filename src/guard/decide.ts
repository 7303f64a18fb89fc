import { compareManifests, scanHiddenUnicode, type HiddenUnicodeFinding, type ManifestDiff } from '../compare/index.js';
import { escapePointer } from '../io/strict-json.js';
import { entryDigest } from '../manifest/digest.js';
import { applyExclude } from '../manifest/exclude.js';
import { emptyLists, entryKey, LIST_NAMES, type ListName } from '../manifest/lists.js';
import type { Manifest } from '../manifest/schema.js';
import type { EntryFinding } from './live.js';
import { resolveGuardSettings, type EnforceMode, type GuardAttestation, type GuardSettings } from './settings.js';

/** `accept`: everything verified; `filter`: some entries hidden; `warn`: mismatches logged, nothing hidden; `refuse`: the server is refused. */
export type GuardDecision = 'accept' | 'filter' | 'warn' | 'refuse';

/** The verdict part of {@link ListsDecision}: what was checked and what it found. */
export interface GuardVerdict {
  /** True when every live entry verified and nothing at server level differs (capture facts aside). */
  ok: boolean;
  decision: GuardDecision;
  enforce: EnforceMode;
  /** The signed server name, used in messages and the audit log. */
  server: string;
  digest: string;
  diff: ManifestDiff;
  /** Every live entry that failed verification, whether hidden or (under `warn`) exposed anyway. */
  mismatched: EntryFinding[];
  /** Server-level differences that cannot be hidden entry by entry (name, version, title, hidden Unicode there). */
  serverProblems: string[];
  /** Whether the live `instructions` may reach the client, and why not. */
  instructions: { exposed: boolean; reason?: string };
  /** Differences that do not affect the decision (capture facts, entries the server no longer lists). */
  notes: string[];
  /** Set when `decision` is `refuse`. */
  refusal?: { code: string; reason: string };
}

/** The result of {@link decideLists}. */
export interface ListsDecision {
  verdict: GuardVerdict;
  /** Live entries a client may see, verbatim as the server sent them, per list. */
  exposed: Record<ListName, object[]>;
  /** Live entries a client may not see, with why. */
  hidden: EntryFinding[];
}

const signedDigestCache = new WeakMap<Manifest, Map<string, string>>();

/**
 * The guard's decision for one live capture, as one call (for gateways in other frameworks).
 *
 * An entry is *verified* when the signed manifest has an entry with the same key and the
 * same entry digest (after the signed `exclude` paths are stripped from the live entry) and
 * the live entry carries no hidden Unicode the settings do not allow. Then, by `enforce`:
 * `block` refuses on any unverified entry, changed instructions, server-level difference or
 * (with `match: exact`) missing entry; `filter` exposes only verified entries and hides
 * changed instructions, refusing only when the server's name differs or its name, version
 * or title hide Unicode (those cannot be hidden); `warn` exposes everything. Capture facts
 * (protocol version, client capabilities) never decide: what they change shows up in the lists.
 *
 * @param live - the live manifest with entries verbatim; `liveManifest` builds it from a session
 * @param rejected - entries set aside while building `live` (invalid or duplicate keys)
 */
export function decideLists(attestation: GuardAttestation, live: Manifest, settings: GuardSettings = {}, rejected: EntryFinding[] = []): ListsDecision {
  const { enforce, match, allowHiddenUnicode } = resolveGuardSettings(settings);
  const signed = attestation.manifest;
  const diff = compareManifests(signed, live, { match, hiddenUnicode: { allow: allowHiddenUnicode } });
  const findings = groupFindings(scanHiddenUnicode(live, { allow: allowHiddenUnicode }));
  const mismatched = [...rejected, ...entryFindings(signed, live, diff, findings.entries)];
  const { serverProblems, fatal, notes } = serverLevel(diff, findings.server);
  const instructions = instructionsVerdict(diff, findings.instructions);
  if (diff.removed.length > 0) notes.push(`the server no longer lists ${diff.removed.map((r) => `${r.list}/${r.key}`).join(', ')}`);
  const blockRefuses = mismatched.length > 0 || serverProblems.length > 0 || !instructions.exposed || (match === 'exact' && diff.removed.length > 0);
  const refused = enforce === 'block' ? blockRefuses : enforce === 'filter' && fatal.length > 0;
  const base = { enforce, server: signed.server.name, digest: attestation.digest, diff, mismatched, serverProblems, notes };
  const ok = !blockRefuses;
  if (refused) {
    const reason = refusalReason(mismatched, serverProblems, instructions.reason, match === 'exact' ? diff.removed.length : 0);
    return {
      verdict: { ...base, ok, decision: 'refuse', instructions: { exposed: false, reason: 'the server was refused' }, refusal: { code: 'SESSION_REFUSED', reason } },
      exposed: emptyLists(),
      hidden: allEntries(live, mismatched),
    };
  }
  if (enforce === 'warn') {
    return { verdict: { ...base, ok, decision: ok ? 'accept' : 'warn', instructions: { exposed: true } }, exposed: listsOf(live), hidden: [] };
  }
  const hiddenKeys = new Set(mismatched.map((m) => `${m.list}\0${m.key}`));
  const exposed = {} as Record<ListName, object[]>;
  for (const list of LIST_NAMES) exposed[list] = live[list].filter((e) => !hiddenKeys.has(`${list}\0${entryKey(list, e)}`));
  const decision = mismatched.length > 0 || !instructions.exposed ? 'filter' : 'accept';
  return { verdict: { ...base, ok, decision, instructions }, exposed, hidden: mismatched };
}

/** One line for the audit log and the proxy's stderr: what is exposed, hidden or refused, and why (first five). */
export function summarizeDecision(decision: ListsDecision): string {
  const v = decision.verdict;
  const exposed = Object.values(decision.exposed).reduce((n, l) => n + l.length, 0);
  const parts = [`${exposed} entries exposed, ${decision.hidden.length} hidden`];
  if (v.refusal) parts.push(v.refusal.reason);
  else for (const h of decision.hidden.slice(0, 5)) parts.push(`${h.list}/${h.key}: ${h.reason}`);
  if (v.decision === 'warn') for (const m of v.mismatched.slice(0, 5)) parts.push(`${m.list}/${m.key}: ${m.reason}`);
  if (!v.instructions.exposed && v.instructions.reason) parts.push(`instructions hidden: ${v.instructions.reason}`);
  return parts.join('; ');
}

function entryFindings(signed: Manifest, live: Manifest, diff: ManifestDiff, unicode: Map<string, HiddenUnicodeFinding[]>): EntryFinding[] {
  const signedDigests = digestsOf(signed);
  const stripped = applyExclude(live, signed.exclude);
  const out: EntryFinding[] = [];
  for (const list of LIST_NAMES) {
    for (const entry of stripped[list]) {
      const key = entryKey(list, entry);
      const digest = entryDigest(entry);
      const want = signedDigests.get(`${list}\0${key}`);
      const hidden = unicode.get(`/${list}/${escapePointer(key)}`);
      if (want === undefined) out.push({ list, key, digest, code: 'ENTRY_NOT_SIGNED', reason: notSignedReason(list, key, diff) });
      else if (want !== digest) out.push({ list, key, digest, code: 'ENTRY_CHANGED', reason: changedReason(list, key, diff) });
      else if (hidden) out.push({ list, key, digest, code: 'HIDDEN_UNICODE', reason: unicodeReason(hidden) });
    }
  }
  return out;
}

function serverLevel(diff: ManifestDiff, unicode: HiddenUnicodeFinding[]): { serverProblems: string[]; fatal: string[]; notes: string[] } {
  const serverProblems: string[] = [];
  const fatal: string[] = [];
  const notes: string[] = [];
  for (const change of diff.server) {
    const text = `${change.path}: ${show(change.before)} → ${show(change.after)}`;
    if (change.path.startsWith('/capture')) notes.push(`captured differently: ${text}`);
    else if (change.path === '/instructions') continue;
    else {
      serverProblems.push(`server differs at ${text}`);
      if (change.path === '/server/name') fatal.push(text);
    }
  }
  for (const finding of unicode) {
    const text = `hidden Unicode (${finding.category}) in ${finding.path}`;
    serverProblems.push(text);
    fatal.push(text);
  }
  return { serverProblems, fatal, notes };
}

function instructionsVerdict(diff: ManifestDiff, unicode: HiddenUnicodeFinding[]): { exposed: boolean; reason?: string } {
  if (diff.server.some((c) => c.path === '/instructions')) return { exposed: false, reason: 'the instructions differ from the signed ones' };
  if (unicode.length > 0) return { exposed: false, reason: unicodeReason(unicode) };
  return { exposed: true };
}

function groupFindings(all: HiddenUnicodeFinding[]): { entries: Map<string, HiddenUnicodeFinding[]>; server: HiddenUnicodeFinding[]; instructions: HiddenUnicodeFinding[] } {
  const entries = new Map<string, HiddenUnicodeFinding[]>();
  const server: HiddenUnicodeFinding[] = [];
  const instructions: HiddenUnicodeFinding[] = [];
  for (const finding of all) {
    const [, root, token] = finding.path.split('/');
    if (root === 'server') server.push(finding);
    else if (root === 'instructions') instructions.push(finding);
    else {
      const prefix = `/${root}/${token}`;
      entries.set(prefix, [...(entries.get(prefix) ?? []), finding]);
    }
  }
  return { entries, server, instructions };
}

function digestsOf(manifest: Manifest): Map<string, string> {
  let map = signedDigestCache.get(manifest);
  if (!map) {
    map = new Map();
    for (const list of LIST_NAMES) for (const entry of manifest[list]) map.set(`${list}\0${entryKey(list, entry)}`, entryDigest(entry));
    signedDigestCache.set(manifest, map);
  }
  return map;
}

function notSignedReason(list: ListName, key: string, diff: ManifestDiff): string {
  const renamed = diff.renamed.find((r) => r.list === list && r.to === key);
  return renamed ? `renamed from "${renamed.from}"; the signed manifest has no ${list} entry "${key}"` : `not in the signed manifest`;
}

function changedReason(list: ListName, key: string, diff: ManifestDiff): string {
  const changed = diff.changed.find((c) => c.list === list && c.key === key);
  const paths = changed?.changes.map((c) => c.path) ?? [];
  const more = paths.length > 3 ? ` and ${paths.length - 3} more` : '';
  return `differs from the signed entry at ${paths.slice(0, 3).join(', ') || 'an excluded path'}${more}`;
}

function unicodeReason(findings: HiddenUnicodeFinding[]): string {
  const f = findings[0]!;
  const decoded = f.decoded !== undefined ? ` (spelling "${f.decoded.slice(0, 80)}")` : '';
  return `hidden Unicode (${f.category}) at ${f.path}${decoded}`;
}

function refusalReason(mismatched: EntryFinding[], serverProblems: string[], instructions: string | undefined, removed: number): string {
  const parts = [
    ...serverProblems,
    ...mismatched.slice(0, 5).map((m) => `${m.list}/${m.key}: ${m.reason}`),
    ...(mismatched.length > 5 ? [`${mismatched.length - 5} more entries`] : []),
    ...(instructions ? [instructions] : []),
    ...(removed > 0 ? [`${removed} signed entries are missing (match: exact)`] : []),
  ];
  return parts.join('; ');
}

function allEntries(live: Manifest, mismatched: EntryFinding[]): EntryFinding[] {
  const failed = new Set(mismatched.map((m) => `${m.list}\0${m.key}`));
  const rest: EntryFinding[] = [];
  for (const list of LIST_NAMES) {
    for (const entry of live[list]) {
      const key = entryKey(list, entry);
      if (!failed.has(`${list}\0${key}`)) rest.push({ list, key, code: 'SESSION_REFUSED', reason: 'the server was refused' });
    }
  }
  return [...mismatched, ...rest];
}

function listsOf(live: Manifest): Record<ListName, object[]> {
  return { tools: live.tools, prompts: live.prompts, resources: live.resources, resourceTemplates: live.resourceTemplates };
}


function show(value: unknown): string {
  const text = value === undefined ? '(absent)' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
