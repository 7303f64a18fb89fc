import type { Manifest } from '../schema.js';
import { profileFromManifest } from '../profile.js';
import type { CaptureOptions, ServerTarget } from './options.js';
import { captureServer } from './server.js';

/**
 * Captures a server the way `reference` was captured: with the same client profile and
 * exclude paths, which is what makes the two comparable (servers list different tools to
 * different client capabilities). Every comparison with a live server goes through here.
 */
export function captureLike(reference: Manifest, target: ServerTarget, options: Omit<CaptureOptions, 'profile' | 'exclude'> = {}): Promise<Manifest> {
  return captureServer(target, {
    ...options, profile: profileFromManifest(reference), exclude: reference.exclude,
    // The same lists dynamic as signed; their live entries are kept to be scanned, never compared.
    ...(reference.dynamic ? { dynamic: reference.dynamic, keepDynamicEntries: true } : {}),
  });
}
