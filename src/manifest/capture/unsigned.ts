import type { Manifest } from '../schema.js';

/** The `serverInfo` fields a manifest signs; MCP defines more (description, websiteUrl, icons). */
export const SIGNED_SERVER_INFO = ['name', 'version', 'title'] as const;

const unsignedOf = new WeakMap<Manifest, string[]>();

/**
 * Remembers, for a captured manifest, the live `serverInfo` fields it does not sign, so a
 * verdict can name them as unchecked instead of saying "OK" about text a client may show.
 * Kept beside the manifest (not in it): the manifest format stays exactly what is signed.
 */
export function noteUnsignedServerInfo(manifest: Manifest, serverInfo: unknown): Manifest {
  if (serverInfo !== null && typeof serverInfo === 'object') {
    const extra = Object.keys(serverInfo).filter((k) => !(SIGNED_SERVER_INFO as readonly string[]).includes(k)).sort();
    if (extra.length > 0) unsignedOf.set(manifest, extra);
  }
  return manifest;
}

/** The live `serverInfo` fields a captured manifest does not sign (empty for one read from a file). */
export function unsignedServerInfo(manifest: Manifest): readonly string[] {
  return unsignedOf.get(manifest) ?? [];
}
