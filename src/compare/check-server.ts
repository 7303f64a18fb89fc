import type { CaptureOptions, ServerTarget } from '../manifest/capture/options.js';
import { captureLike } from '../manifest/capture/like.js';
import type { Manifest } from '../manifest/schema.js';
import { compareManifests } from './compare.js';
import type { ManifestDiff, MatchMode } from './schema.js';

/**
 * A local pin without any signature (`toolseal check`, the Action's `check` mode): captures
 * the live server like the expected manifest was captured and compares the two.
 */
export async function checkServer(
  expected: Manifest, target: ServerTarget, options: Omit<CaptureOptions, 'profile' | 'exclude'> & { match?: MatchMode } = {},
): Promise<ManifestDiff> {
  const { match, ...capture } = options;
  const live = await captureLike(expected, target, capture);
  return compareManifests(expected, live, { match: match ?? 'exact' });
}
