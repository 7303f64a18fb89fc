import { ManifestError } from '../errors.js';
import { readJsonFile } from '../io/files.js';
import { protoMemberPointer } from '../io/proto-member.js';
import { formatZodIssues } from '../io/zod-issues.js';
import { applyExclude, parseExcludePath } from './exclude.js';
import { entryKey, LIST_KEYS, LIST_NAMES, type ListName } from './lists.js';
import {
  CANONICALIZATION, DYNAMIC_LISTS, MANIFEST_MEDIA_TYPE, ManifestSchema, type Artifact, type CaptureInfo, type DynamicList, type Manifest,
} from './schema.js';

/**
 * The raw material of a manifest, as a capture (or a test) gathered it. An `undefined` member
 * is an absent one (so a `Manifest` is its own parts).
 */
export interface ManifestParts {
  server: { name: string; version: string; title?: string | undefined };
  capture: CaptureInfo;
  instructions?: string | undefined;
  tools?: object[] | undefined;
  prompts?: object[] | undefined;
  resources?: object[] | undefined;
  resourceTemplates?: object[] | undefined;
  exclude?: string[] | undefined;
  artifacts?: Artifact[] | undefined;
  /** Lists declared dynamic (not signed); recorded in table order, absent when none. */
  dynamic?: DynamicList[] | undefined;
}

/**
 * Assembles a v1 manifest: each list sorted by its key (UTF-16 code-unit order, as JCS
 * sorts), `exclude` applied, the result validated. Duplicate keys in a list are refused:
 * two tools with one name are ambiguous to the client and to the diff.
 *
 * @throws ManifestError `DUPLICATE_ENTRY` or `MANIFEST_INVALID`
 */
export function buildManifest(parts: ManifestParts): Manifest {
  const draft = {
    mediaType: MANIFEST_MEDIA_TYPE,
    canonicalization: CANONICALIZATION,
    server: parts.server,
    capture: parts.capture,
    ...(parts.instructions !== undefined ? { instructions: parts.instructions } : {}),
    tools: sortEntries('tools', parts.tools ?? []),
    prompts: sortEntries('prompts', parts.prompts ?? []),
    resources: sortEntries('resources', parts.resources ?? []),
    resourceTemplates: sortEntries('resourceTemplates', parts.resourceTemplates ?? []),
    exclude: [...(parts.exclude ?? [])],
    ...(parts.artifacts ? { artifacts: parts.artifacts } : {}),
    ...dynamicField(parts.dynamic),
  };
  return validateManifest(applyExclude(draft, draft.exclude), 'the captured server');
}

function dynamicField(dynamic: DynamicList[] | undefined): { dynamic?: DynamicList[] } {
  const lists = DYNAMIC_LISTS.filter((l) => dynamic?.includes(l));
  return lists.length > 0 ? { dynamic: lists } : {};
}

/**
 * The manifest a publisher signs: the entries of its dynamic lists removed (they are the
 * capturing machine's data, not the server's declaration, and are never compared).
 */
export function withoutDynamicEntries(manifest: Manifest): Manifest {
  if (!manifest.dynamic) return manifest;
  const out = { ...manifest };
  for (const list of manifest.dynamic) out[list] = [];
  return out;
}

/**
 * Validates an untrusted value as a v1 manifest: schema, sorted lists, unique keys, and
 * `exclude` paths a verifier may apply (a signed manifest whose paths would strip keys or
 * whole entries is refused here, not when a live server is compared with it).
 * Sorting is checked rather than fixed so that the digest of what was signed is the
 * digest of what is read; for the same reason a member named `__proto__` anywhere is refused
 * (see `protoMemberPointer`): validation never changes the canonical bytes.
 *
 * @param source - names the input in error messages (a file path, "the signed payload")
 */
export function validateManifest(value: unknown, source: string): Manifest {
  const proto = protoMemberPointer(value);
  if (proto !== undefined) {
    throw new ManifestError('MANIFEST_INVALID', `${source} is not a valid toolseal manifest v1: it has a member named "__proto__" at ${proto}, which JSON readers disagree on (most JavaScript copies drop it, other languages keep it), so it can be neither signed nor compared faithfully; toolseal refuses it.`);
  }
  const result = ManifestSchema.safeParse(value);
  if (!result.success) {
    throw new ManifestError('MANIFEST_INVALID', `${source} is not a valid toolseal manifest v1: ${formatZodIssues(result.error)}.`);
  }
  for (const list of LIST_NAMES) {
    const keys = entryKeys(list, result.data[list]);
    assertUnique(list, keys, source);
    if (keys.some((k, i) => i > 0 && keys[i - 1]! > k)) {
      throw new ManifestError('MANIFEST_UNSORTED', `${source} lists ${list} out of order; a manifest's lists are sorted by ${LIST_KEYS[list]}. Re-create it with toolseal capture.`);
    }
  }
  const dynamic = result.data.dynamic ?? [];
  if (dynamic.some((l, i) => DYNAMIC_LISTS.indexOf(l) <= (i > 0 ? DYNAMIC_LISTS.indexOf(dynamic[i - 1]!) : -1))) {
    throw new ManifestError('MANIFEST_INVALID', `${source} is not a valid toolseal manifest v1: "dynamic" must name each list once, in the order ${DYNAMIC_LISTS.join(', ')}.`);
  }
  for (const path of result.data.exclude) {
    try {
      parseExcludePath(path);
    } catch (err) {
      throw new ManifestError('MANIFEST_INVALID', `${source} is not a valid toolseal manifest v1: ${(err as Error).message}`, { cause: err });
    }
  }
  return result.data;
}

/** Reads and validates a manifest file. */
export async function readManifestFile(path: string): Promise<Manifest> {
  return validateManifest(await readJsonFile(path), path);
}

function entryKeys(list: ListName, entries: readonly object[]): string[] {
  return entries.map((e) => entryKey(list, e));
}

function sortEntries(list: ListName, entries: readonly object[]): Record<string, unknown>[] {
  const keyed = entries.map((e) => e as Record<string, unknown>);
  assertUnique(list, keyed.map((e) => entryKey(list, e)), 'the server');
  return [...keyed].sort((a, b) => (entryKey(list, a) < entryKey(list, b) ? -1 : 1));
}

function assertUnique(list: ListName, keys: string[], source: string): void {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) {
      throw new ManifestError('DUPLICATE_ENTRY', `${source} lists two ${list} entries with ${LIST_KEYS[list]} "${key}"; entries must be unique, so the list is ambiguous and refused.`);
    }
    seen.add(key);
  }
}
