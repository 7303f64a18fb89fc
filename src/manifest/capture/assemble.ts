import { buildManifest, type ManifestParts } from '../build.js';
import { LISTS, type ListName, type ListSpec } from '../lists.js';
import type { ClientProfile } from '../profile.js';
import type { Artifact, DynamicList, Manifest } from '../schema.js';
import { readList } from './dynamic.js';

/** What a capture of either era records in the manifest besides the lists and the server's facts. */
export interface ManifestRecording {
  /** The profile the client declared (its capabilities are recorded). */
  profile: ClientProfile;
  exclude?: string[] | undefined;
  artifacts?: Artifact[] | undefined;
  /** Lists declared dynamic (see `CaptureOptions.dynamic`). */
  dynamic?: DynamicList[];
  /** Told when a dynamic list could not be read. */
  onNote?: (note: string) => void;
}

/** The lists of one capture, by name. */
export type CapturedLists = Partial<Record<ListName, Record<string, unknown>[]>>;

/**
 * Reads every list whose capability the server declared, in table order (the order of the
 * manifest); a dynamic list that cannot be read is noted and left empty (see `readList`).
 */
export async function readDeclaredLists(
  capabilities: Record<string, unknown>, recording: ManifestRecording, server: string,
  read: (spec: ListSpec) => Promise<Record<string, unknown>[]>,
): Promise<CapturedLists> {
  const lists: CapturedLists = {};
  for (const spec of LISTS) {
    if (capabilities[spec.capability] === undefined) continue;
    lists[spec.name] = await readList(spec, recording.dynamic, () => read(spec), recording.onNote, server);
  }
  return lists;
}

/** What a capture saw of the server itself, in its era. */
export interface CapturedServer {
  server: ManifestParts['server'];
  protocolVersion: string;
  era: 'modern' | 'legacy';
  instructions?: string | undefined;
}

/** The manifest of a capture in either era: the server's facts, the client profile, the lists and what the recording adds. */
export function capturedManifest(seen: CapturedServer, recording: ManifestRecording, lists: CapturedLists): Manifest {
  return buildManifest({
    server: seen.server,
    capture: { protocolVersion: seen.protocolVersion, era: seen.era, clientProfile: recording.profile.name, clientCapabilities: structuredClone(recording.profile.capabilities) },
    ...(seen.instructions !== undefined ? { instructions: seen.instructions } : {}),
    ...lists,
    exclude: recording.exclude,
    artifacts: recording.artifacts,
    ...(recording.dynamic ? { dynamic: recording.dynamic } : {}),
  });
}
