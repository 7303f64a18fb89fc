import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { TrustError } from '../../errors.js';
import { parseStrictJson } from '../../io/strict-json.js';
import { validateTrustedRootJson } from './validate.js';

/**
 * Turns trusted-root JSON into sigstore-js trust material, after toolseal's own checks
 * ({@link validateTrustedRootJson}). Build it once per root and reuse it: parsing the
 * certificates and keys is the expensive part.
 *
 * @throws TrustError `TRUSTED_ROOT_INVALID` naming `source`
 */
export function trustMaterialFromJson(value: unknown, source: string): TrustMaterial {
  validateTrustedRootJson(value, source);
  try {
    return toTrustMaterial(TrustedRoot.fromJSON(value));
  } catch (err) {
    throw new TrustError('TRUSTED_ROOT_INVALID', `${source} has a key or certificate that cannot be parsed (${(err as Error).message}). Get a current trusted_root.json from your Sigstore instance.`, { cause: err });
  }
}

/** Same as {@link trustMaterialFromJson} for JSON text, parsed strictly. */
export function trustMaterialFromText(text: string, source: string): TrustMaterial {
  let value: unknown;
  try {
    value = parseStrictJson(text, source);
  } catch (err) {
    throw new TrustError('TRUSTED_ROOT_INVALID', (err as Error).message, { cause: err });
  }
  return trustMaterialFromJson(value, source);
}

/**
 * Trust material that trusts nothing: no CA, log, CT log or timestamp authority. With
 * it, only a pinned-key bundle that carries no log entry and no timestamp verifies;
 * anything a bundle claims from an authority is refused, never waved through.
 */
export function emptyTrustMaterial(): TrustMaterial {
  return toTrustMaterial(TrustedRoot.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [],
  }));
}
