/**
 * toolseal's public API. Everything a consumer may import is listed here by name;
 * nothing else in `src/` is public.
 */
export { TOOLSEAL_VERSION } from './version.js';

export {
  ToolsealError, InputError, ManifestError, CaptureError, PolicyError, SigningError, TrustError,
  VerificationError, isVerdictError,
} from './errors.js';

export { parseStrictJson } from './io/strict-json.js';
export { readJsonFile, readTextFile, writeFileAtomic } from './io/files.js';

export {
  MANIFEST_MEDIA_TYPE, CANONICALIZATION, LIST_KEYS, ManifestSchema, ToolSchema, PromptSchema,
  ResourceSchema, ResourceTemplateSchema, CaptureInfoSchema, ArtifactSchema,
  type Manifest, type ToolEntry, type CaptureInfo, type Artifact, type ListName,
} from './manifest/schema.js';
export { canonicalBytes, jsonDigest, sha256Hex, digestHex, type Sha256Digest } from './manifest/canonical.js';
export { manifestDigest, entryDigest, entryDigests, type EntryDigest } from './manifest/digest.js';
export { buildManifest, validateManifest, readManifestFile, type ManifestParts } from './manifest/build.js';
export { applyExclude } from './manifest/exclude.js';
