/** The manifest: its format, the list table, canonical bytes and digests, building and reading. */
export {
  MANIFEST_MEDIA_TYPE, CANONICALIZATION, DYNAMIC_LISTS, DynamicListSchema, type DynamicList, ManifestSchema, ToolSchema, PromptSchema,
  ResourceSchema, ResourceTemplateSchema, CaptureInfoSchema, ArtifactSchema, ExcludePathSchema,
  type Manifest, type ToolEntry, type CaptureInfo, type Artifact,
} from './schema.js';
export {
  LISTS, LIST_NAMES, LIST_KEYS, entryCounts, entryKey, emptyLists, isListName, listOfMethod, listsChangedBy, listSpec,
  type ListName, type ListSpec, type ListMethod,
} from './lists.js';
export { canonicalBytes, jsonDigest, sha256Hex, digestHex, type Sha256Digest } from './canonical.js';
export { manifestDigest, entryDigest, entryDigests, type EntryDigest } from './digest.js';
export { buildManifest, validateManifest, readManifestFile, withoutDynamicEntries, type ManifestParts } from './build.js';
export { applyExclude, parseExcludePath } from './exclude.js';
export { parseDynamicLists } from './dynamic-lists.js';
export { locateManifestLines, type ManifestLines } from './locate.js';
export {
  BARE_PROFILE, FULL_PROFILE, ClientProfileSchema, resolveClientProfile, parseClientProfile, profileFromManifest,
  type ClientProfile,
} from './profile.js';
