import { z } from 'zod';
import { LIST_KEYS } from './lists.js';

/** The manifest format's media type; the version is part of it so a v2 can never be mistaken for v1. */
export const MANIFEST_MEDIA_TYPE = 'application/vnd.toolseal.manifest+json;version=1';

/** The canonicalization every digest in a v1 manifest is computed over. */
export const CANONICALIZATION = 'RFC8785';

const nonEmpty = z.string().min(1);

/**
 * One entry of a list as the server sent it. Only the key is required; every other
 * field is kept verbatim (loose object), because anything the model can see must be
 * signed, including fields newer than this schema.
 */
const entry = <K extends string>(key: K) => z.looseObject({ [key]: nonEmpty } as { [P in K]: typeof nonEmpty });

/** A tool from `tools/list`, keyed by `name`. */
export const ToolSchema = entry(LIST_KEYS.tools);
/** A prompt from `prompts/list`, keyed by `name`. */
export const PromptSchema = entry(LIST_KEYS.prompts);
/** A resource from `resources/list`, keyed by `uri`. */
export const ResourceSchema = entry(LIST_KEYS.resources);
/** A resource template from `resources/templates/list`, keyed by `uriTemplate`. */
export const ResourceTemplateSchema = entry(LIST_KEYS.resourceTemplates);

/** The client side of the handshake the lists were captured with (see DESIGN §2). */
export const CaptureInfoSchema = z.strictObject({
  protocolVersion: nonEmpty.describe('MCP protocol version the lists were captured in (negotiated in initialize, or chosen from server/discover)'),
  era: z.enum(['modern', 'legacy']).optional().describe('protocol era of the capture: modern (2026-07-28, stateless) or legacy (initialize); absent in manifests made before eras were recorded'),
  clientProfile: nonEmpty.describe('name of the client profile: bare, full, or custom'),
  clientCapabilities: z.record(z.string(), z.unknown()).describe('capabilities the client declared in initialize'),
});

/** What the manifest belongs to, so it cannot be replayed for another package. */
export const ArtifactSchema = z.strictObject({
  uri: nonEmpty.describe('a purl (pkg:npm/...) or an OCI reference'),
  digest: z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
});

/**
 * An `exclude` path: `/`-separated JSON-pointer tokens where `*` matches any single
 * key or index, rooted at the manifest (e.g. `/tools/* /_meta/requestId` without the space).
 */
export const ExcludePathSchema = z.string().regex(/^(\/[^/]*)+$/, 'an exclude path starts with "/" (e.g. /tools/*/_meta/traceId)');

/**
 * Lists a publisher may declare dynamic: their entries are the user's data (tables, files),
 * not declarations, so they are not signed. Tools and prompts are instructions to the model
 * and are always signed.
 */
export const DYNAMIC_LISTS = ['resources', 'resourceTemplates'] as const;
/** One of {@link DYNAMIC_LISTS}. */
export const DynamicListSchema = z.enum(DYNAMIC_LISTS);
/** A list that may be declared dynamic. */
export type DynamicList = z.infer<typeof DynamicListSchema>;

/** Manifest v1: everything an MCP server shows a model, as one canonical document. */
export const ManifestSchema = z.strictObject({
  mediaType: z.literal(MANIFEST_MEDIA_TYPE),
  canonicalization: z.literal(CANONICALIZATION),
  server: z.strictObject({ name: nonEmpty, version: z.string(), title: z.string().optional() }),
  capture: CaptureInfoSchema,
  instructions: z.string().optional(),
  tools: z.array(ToolSchema),
  prompts: z.array(PromptSchema),
  resources: z.array(ResourceSchema),
  resourceTemplates: z.array(ResourceTemplateSchema),
  exclude: z.array(ExcludePathSchema),
  artifacts: z.array(ArtifactSchema).optional(),
  dynamic: z.array(DynamicListSchema).min(1).optional()
    .describe('lists whose entries are not signed (the user\'s data); verifiers do not compare them but still scan them for hidden Unicode'),
});

/** A validated v1 manifest. */
export type Manifest = z.infer<typeof ManifestSchema>;
/** One tool entry, verbatim. */
export type ToolEntry = z.infer<typeof ToolSchema>;
/** Capture facts recorded in a manifest. */
export type CaptureInfo = z.infer<typeof CaptureInfoSchema>;
/** A manifest's artifact binding. */
export type Artifact = z.infer<typeof ArtifactSchema>;

