import { isPlainObject, jsonEqual } from './diff-values.js';

/**
 * Whether a client that declared `client` asks for nothing the signing profile `signed` did not:
 * every member it sets is set in `signed` too, objects compared member by member (so `roots: {}`
 * is within `roots: {listChanged: true}`), a `false` flag asks for nothing, and any other value
 * must be equal. Capabilities are what a server may show more entries for; a client within the
 * signing profile can only have been shown a subset of what was signed, never something else.
 */
export function capabilitiesWithin(client: unknown, signed: unknown): boolean {
  if (client === false || client === undefined) return true;
  if (!isPlainObject(client)) return jsonEqual(client, signed);
  if (!isPlainObject(signed)) return false;
  return Object.entries(client).every(([key, value]) => capabilitiesWithin(value, Object.hasOwn(signed, key) ? signed[key] : undefined));
}

/**
 * True when the live client lacks a capability (or a part of one) that the signing profile
 * declared. A server may then list fewer of the signed entries, and the entries it does not show
 * are no mismatch (DESIGN §6, client profiles); every entry it shows is still compared exactly,
 * and an entry the signer never saw (one a capability the signer did not declare brings, such as
 * an extension) is not signed. A client that lacks none of them is held to the match mode.
 */
export function lacksSigningCapabilities(signed: Record<string, unknown>, live: Record<string, unknown>): boolean {
  return !capabilitiesWithin(signed, live);
}
