import { z } from 'zod';
import { LIST_NAMES, type ListName } from '../manifest/lists.js';

/**
 * Paths in a diff are RFC 6901 JSON pointers rooted at the manifest, except that list
 * entries are addressed by their *key* rather than their index: `/tools/get_weather/description`,
 * `/resources/file:~1~1~1etc~1hosts/mimeType` (the key is escaped as one RFC 6901 token).
 * An index shifts whenever an entry is added or removed before it, so it would tell a
 * reviewer nothing; the key names the tool the model sees. Inside an entry, array
 * elements are addressed by index as usual. Server-level paths are plain pointers:
 * `/server/version`, `/instructions`, `/capture/clientProfile`, `/exclude`.
 */
const PointerSchema = z.string().describe('JSON pointer from the manifest root; list entries addressed by key');

/** The four entry lists of a manifest. */
const ListNameSchema = z.enum(LIST_NAMES as [ListName, ...ListName[]]);

/**
 * What kind of difference a change is. `model-visible-text` is prose the model reads
 * (a `description` or `title` string anywhere, server `instructions`); `structural` is
 * everything else: names, schema types, enums, `required`, annotations, `_meta`, capture facts.
 */
export const ChangeKindSchema = z.enum(['model-visible-text', 'structural']);

/** One difference at one path. `before` is absent when the value was added, `after` when removed. */
export const ChangeSchema = z.strictObject({
  path: PointerSchema,
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  kind: ChangeKindSchema,
});

/** One whole entry, named by list and key, with its entry digest. */
export const EntryRefSchema = z.strictObject({
  list: ListNameSchema,
  key: z.string(),
  digest: z.string().describe('sha256:<hex> of the entry\'s RFC 8785 bytes'),
});

/** An entry whose key changed while its content stayed (nearly) the same; see `compareManifests`. */
export const RenamedEntrySchema = z.strictObject({
  list: ListNameSchema,
  from: z.string(),
  to: z.string(),
  changes: z.array(ChangeSchema).describe('paths under the new key; includes the key field itself'),
});

/** An entry present on both sides under the same key whose content differs. */
export const ChangedEntrySchema = z.strictObject({
  list: ListNameSchema,
  key: z.string(),
  digestBefore: z.string(),
  digestAfter: z.string(),
  changes: z.array(ChangeSchema).min(1),
});

/**
 * The categories of invisible characters toolseal reports (from the engine's Unicode data):
 * `tag` (U+E0000–U+E007F), `bidi` (Bidi_Control), `variation-selector` (Variation_Selector,
 * except one U+FE0F after an emoji) and `zero-width` (every other Default_Ignorable_Code_Point
 * or format character).
 */
export const HiddenUnicodeCategorySchema = z.enum(['tag', 'zero-width', 'bidi', 'variation-selector']);

/** Invisible characters of one category in one model-visible string (or object key). */
export const HiddenUnicodeFindingSchema = z.strictObject({
  path: PointerSchema,
  target: z.enum(['value', 'key']).describe('"key": the object member name at path holds the characters, not its value'),
  category: HiddenUnicodeCategorySchema,
  codePoints: z.array(z.string()).describe('distinct code points in order of first appearance, written U+XXXX'),
  decoded: z.string().optional().describe('for TAG characters the ASCII text they smuggle; for variation selectors the bytes they carry, read as UTF-8'),
});

/** The result of comparing a signed (reference) manifest with a live (new) one. */
export const ManifestDiffSchema = z.strictObject({
  match: z.enum(['exact', 'subset']),
  equal: z.boolean().describe('no difference at all'),
  ok: z.boolean().describe('acceptable under the match mode; hidden Unicode is a separate policy decision'),
  added: z.array(EntryRefSchema),
  removed: z.array(EntryRefSchema),
  renamed: z.array(RenamedEntrySchema),
  changed: z.array(ChangedEntrySchema),
  server: z.array(ChangeSchema).describe('server name/version/title, instructions, capture and exclude differences'),
  hiddenUnicode: z.array(HiddenUnicodeFindingSchema).describe('findings in the live manifest'),
});

/** `exact` or `subset`; see `compareManifests`. */
export type MatchMode = z.infer<typeof ManifestDiffSchema>['match'];
/** Kind of a change. */
export type ChangeKind = z.infer<typeof ChangeKindSchema>;
/** One difference at one path. */
export type Change = z.infer<typeof ChangeSchema>;
/** A whole entry reference. */
export type EntryRef = z.infer<typeof EntryRefSchema>;
/** A renamed entry. */
export type RenamedEntry = z.infer<typeof RenamedEntrySchema>;
/** A changed entry. */
export type ChangedEntry = z.infer<typeof ChangedEntrySchema>;
/** Category of hidden Unicode. */
export type HiddenUnicodeCategory = z.infer<typeof HiddenUnicodeCategorySchema>;
/** One hidden-Unicode finding. */
export type HiddenUnicodeFinding = z.infer<typeof HiddenUnicodeFindingSchema>;
/** A manifest diff. */
export type ManifestDiff = z.infer<typeof ManifestDiffSchema>;
