import { compareManifests } from '../compare/compare.js';
import { diffFindings, type DiffFinding } from '../compare/findings.js';
import { lacksSigningCapabilities } from '../compare/profile.js';
import type { ManifestDiff } from '../compare/schema.js';
import { untrusted } from '../io/terminal.js';
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

/**
 * The guard's decision for one live capture, as one call (for gateways in other frameworks).
 *
 * An entry is *verified* when the signed manifest has an entry with the same key and the
 * same entry digest (after the signed `exclude` paths are stripped from the live entry) and
 * the live entry carries no hidden Unicode the settings do not allow. Then, by `enforce`:
 * `block` refuses on any unverified entry, changed instructions, server-level difference or
 * (with `match: exact`) missing entry; `filter` exposes only verified entries and hides
 * changed instructions, refusing only when the server's name differs or its name, version
 * or title hide Unicode (those cannot be hidden); a live version or title that differs makes the
 * decision `filter` with a note (the client is served the signed ones); `warn` exposes everything. Capture facts
 * (protocol version, client capabilities) never decide: what they change shows up in the lists. A
 * client that lacks capabilities the signing profile declared (`lacksSigningCapabilities`) may be
 * shown fewer signed entries, and those it is not shown are a note, not a missing entry, even
 * under `match: exact`; every entry it is shown is compared exactly.
 *
 * @param live - the live manifest with entries verbatim; `liveManifest` builds it from a session
 * @param rejected - entries set aside while building `live` (invalid or duplicate keys)
 */
export function decideLists(attestation: GuardAttestation, live: Manifest, settings: GuardSettings = {}, rejected: EntryFinding[] = []): ListsDecision {
  const { enforce, match, allowHiddenUnicode } = resolveGuardSettings(settings);
  const signed = attestation.manifest;
  const diff = compareManifests(signed, live, { match, hiddenUnicode: { allow: allowHiddenUnicode } });
  const findings = diffFindings(diff, { allowHiddenUnicode });
  const mismatched = [...rejected, ...entryFindings(signed, live, findings)];
  const { serverProblems, fatal, notes } = serverLevel(findings);
  const instructions = instructionsVerdict(findings);
  // A client that lacks capabilities the signing profile declared may be shown fewer of the
  // signed entries: those it is not shown are no mismatch, even under `match: exact`.
  const fewer = lacksSigningCapabilities(signed.capture.clientCapabilities, live.capture.clientCapabilities);
  const removed = findings.filter((f) => f.code === 'ENTRY_REMOVED');
  if (removed.length > 0) notes.push(`${fewer ? `the client lacks capabilities of the signing profile "${untrusted(signed.capture.clientProfile)}" and is not shown` : 'the server no longer lists'} ${removed.slice(0, 10).map((r) => `${r.list}/${untrusted(r.key ?? '')}`).join(', ')}${removed.length > 10 ? ` and ${removed.length - 10} more` : ''}`);
  // First, so the summary's first notes say which lists were not signed.
  notes.unshift(...(signed.dynamic ?? []).map(unsignedNote));
  const missingRefuses = match === 'exact' && diff.removed.length > 0 && !fewer;
  const blockRefuses = mismatched.length > 0 || serverProblems.length > 0 || !instructions.exposed || missingRefuses;
  const refused = enforce === 'block' ? blockRefuses : enforce === 'filter' && fatal.length > 0;
  const base = { enforce, server: signed.server.name, digest: attestation.digest, diff, mismatched, serverProblems, notes };
  const ok = !blockRefuses;
  if (refused) {
    const reason = refusalReason(mismatched, serverProblems, instructions.reason, missingRefuses ? diff.removed.length : 0);
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
  // Under filter the client is served the signed serverInfo (see GuardSession), so a live
  // version or title that differs is replaced, not passed on: say so wherever the decision shows.
  for (const problem of serverProblems) notes.push(`${problem}; the client is served the signed value`);
  const decision = mismatched.length > 0 || !instructions.exposed || serverProblems.length > 0 ? 'filter' : 'accept';
  return { verdict: { ...base, ok, decision, instructions }, exposed, hidden: mismatched };
}

/** One line for the audit log and the proxy's stderr: what is exposed, hidden or refused, and why (first five). */
export function summarizeDecision(decision: ListsDecision): string {
  const v = decision.verdict;
  const exposed = Object.values(decision.exposed).reduce((n, l) => n + l.length, 0);
  const parts = [`${exposed} entries exposed, ${decision.hidden.length} hidden`];
  if (v.refusal) parts.push(v.refusal.reason);
  else for (const h of decision.hidden.slice(0, 5)) parts.push(`${h.list}/${untrusted(h.key)}: ${h.reason}`);
  if (v.decision === 'warn') for (const m of v.mismatched.slice(0, 5)) parts.push(`${m.list}/${untrusted(m.key)}: ${m.reason}`);
  if (!v.instructions.exposed && v.instructions.reason) parts.push(`instructions hidden: ${v.instructions.reason}`);
  if (!v.refusal) parts.push(...v.notes.slice(0, 5));
  return parts.join('; ');
}

const UNSIGNED_PREFIX = 'not signed: ';

/** What the verdict and the audit log say about a dynamic list. */
function unsignedNote(list: string): string {
  return `${UNSIGNED_PREFIX}${list} (declared dynamic by the publisher: passed through after a hidden-Unicode scan, not compared)`;
}

/**
 * One finding per live entry that fails: not signed or changed before hidden Unicode, in
 * the order of the live lists. The digest is the stripped entry's (what was compared).
 */
function entryFindings(signed: Manifest, live: Manifest, findings: DiffFinding[]): EntryFinding[] {
  const byEntry = new Map<string, DiffFinding>();
  for (const f of findings) {
    if (f.scope !== 'entry' || f.code === 'ENTRY_REMOVED') continue;
    const id = `${f.list}\0${f.key}`;
    const held = byEntry.get(id);
    if (held === undefined || (held.code === 'HIDDEN_UNICODE' && f.code !== 'HIDDEN_UNICODE')) byEntry.set(id, f);
  }
  if (byEntry.size === 0) return [];
  const stripped = applyExclude(live, signed.exclude);
  const out: EntryFinding[] = [];
  for (const list of LIST_NAMES) {
    for (const entry of stripped[list]) {
      const key = entryKey(list, entry);
      const f = byEntry.get(`${list}\0${key}`);
      if (f) out.push({ list, key, digest: f.digest ?? entryDigest(entry), code: f.code, reason: f.reason });
    }
  }
  return out;
}

function serverLevel(findings: DiffFinding[]): { serverProblems: string[]; fatal: string[]; notes: string[] } {
  const serverProblems: string[] = [];
  const fatal: string[] = [];
  const notes: string[] = [];
  for (const f of findings) {
    if (f.code === 'SERVER_CHANGED') {
      if (f.scope === 'capture') notes.push(`captured differently: ${f.reason}`);
      else if (f.scope !== 'instructions') {
        serverProblems.push(`server differs at ${f.reason}`);
        if (f.path === '/server/name') fatal.push(f.reason);
      }
    } else if (f.code === 'HIDDEN_UNICODE' && f.scope === 'server') {
      const text = `hidden Unicode (${f.hiddenUnicode!.category}) in ${untrusted(f.path ?? '')}`;
      serverProblems.push(text);
      fatal.push(text);
    }
  }
  return { serverProblems, fatal, notes };
}

function instructionsVerdict(findings: DiffFinding[]): { exposed: boolean; reason?: string } {
  const here = findings.filter((f) => f.scope === 'instructions');
  if (here.some((f) => f.code === 'SERVER_CHANGED')) return { exposed: false, reason: 'the instructions differ from the signed ones' };
  const unicode = here.find((f) => f.code === 'HIDDEN_UNICODE');
  if (unicode) return { exposed: false, reason: unicode.reason };
  return { exposed: true };
}

function refusalReason(mismatched: EntryFinding[], serverProblems: string[], instructions: string | undefined, removed: number): string {
  const parts = [
    ...serverProblems,
    ...mismatched.slice(0, 5).map((m) => `${m.list}/${untrusted(m.key)}: ${m.reason}`),
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
