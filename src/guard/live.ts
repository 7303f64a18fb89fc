import { untrusted } from '../io/terminal.js';
import { protoMemberPointer } from '../io/proto-member.js';
import { buildManifest } from '../manifest/build.js';
import { LIST_KEYS, LIST_NAMES, type ListName } from '../manifest/lists.js';
import type { Manifest } from '../manifest/schema.js';

/** The four lists as a server sent them (every page concatenated), not yet trusted. */
export type RawLists = Record<ListName, unknown[]>;

/** What a live session showed: the `initialize` facts and the raw lists. */
export interface LiveCapture {
  serverInfo: unknown;
  instructions?: unknown;
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  lists: RawLists;
}

/** One entry that fails verification, and why. */
export interface EntryFinding {
  list: ListName;
  key: string;
  /** Stable code: ENTRY_NOT_SIGNED, ENTRY_CHANGED, HIDDEN_UNICODE (from `diffFindings`), ENTRY_INVALID, DUPLICATE_ENTRY. */
  code: string;
  reason: string;
  /** The live entry's digest (`sha256:<hex>`), when it has one. */
  digest?: string;
}

/**
 * Builds the live manifest the guard compares: entries verbatim (the signed `exclude` paths
 * are declared but *not* applied, so the entries a client is served keep every field; the
 * comparison strips them), capture facts of this session. Entries that cannot be keyed
 * (not an object, no key string) and every entry whose key appears twice are set aside as
 * findings instead of failing the whole capture: one bad entry must not decide for the rest.
 */
export function liveManifest(capture: LiveCapture, signed: Manifest): { manifest: Manifest; rejected: EntryFinding[] } {
  const rejected: EntryFinding[] = [];
  const lists = {} as Record<ListName, object[]>;
  for (const list of LIST_NAMES) lists[list] = keyedEntries(list, capture.lists[list], rejected);
  const info = (capture.serverInfo ?? {}) as Record<string, unknown>;
  const built = buildManifest({
    server: {
      name: typeof info.name === 'string' && info.name !== '' ? info.name : '(no name)',
      version: typeof info.version === 'string' ? info.version : '',
      ...(typeof info.title === 'string' ? { title: info.title } : {}),
    },
    capture: {
      protocolVersion: capture.protocolVersion || '(unknown)',
      clientProfile: signed.capture.clientProfile,
      clientCapabilities: capture.clientCapabilities,
    },
    ...(typeof capture.instructions === 'string' ? { instructions: capture.instructions } : {}),
    ...lists,
    exclude: [],
  });
  return { manifest: { ...built, exclude: [...signed.exclude], ...(signed.dynamic ? { dynamic: [...signed.dynamic] } : {}) }, rejected };
}

function keyedEntries(list: ListName, raw: unknown[], rejected: EntryFinding[]): object[] {
  const field = LIST_KEYS[list];
  const byKey = new Map<string, object[]>();
  raw.forEach((entry, index) => {
    const key = entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? (entry as Record<string, unknown>)[field] : undefined;
    if (typeof key !== 'string' || key === '') {
      rejected.push({ list, key: `#${index}`, code: 'ENTRY_INVALID', reason: `entry ${index} of ${list} has no ${field} string` });
      return;
    }
    const proto = protoMemberPointer(entry);
    if (proto !== undefined) {
      rejected.push({ list, key, code: 'ENTRY_INVALID', reason: `the ${list} entry "${untrusted(key)}" has a member named "__proto__" (at ${proto}), which toolseal neither signs nor compares` });
      return;
    }
    if (!canonicalizable(entry)) {
      // A transport that uses JSON.parse (the SDK's) lets "\ud800" through; RFC 8785 cannot
      // encode it, so the entry has no digest to compare and must not reach the decision.
      rejected.push({ list, key, code: 'ENTRY_INVALID', reason: `the ${list} entry "${untrusted(key)}" holds a lone UTF-16 surrogate or a non-finite number, which RFC 8785 cannot encode` });
      return;
    }
    byKey.set(key, [...(byKey.get(key) ?? []), entry as object]);
  });
  const out: object[] = [];
  for (const [key, entries] of byKey) {
    if (entries.length === 1) out.push(entries[0]!);
    else rejected.push({ list, key, code: 'DUPLICATE_ENTRY', reason: `the server lists ${entries.length} ${list} entries named "${untrusted(key)}"; ambiguous, so none is exposed` });
  }
  return out;
}

/** True when every string (and member name) is well-formed UTF-16 and every number finite. */
function canonicalizable(value: unknown): boolean {
  if (typeof value === 'string') return value.isWellFormed();
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(canonicalizable);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([k, v]) => k.isWellFormed() && canonicalizable(v));
  }
  return true;
}
