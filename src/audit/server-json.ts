import { z } from 'zod';
import { formatZodIssues } from '../io/zod-issues.js';
import { goJsonByteLength } from './go-json.js';

/** The `_meta` key the official MCP Registry keeps from a publisher's server.json. */
export const PUBLISHER_META_KEY = 'io.modelcontextprotocol.registry/publisher-provided';
/** toolseal's sub-key inside the publisher-provided `_meta` (see docs/audit.md). */
export const TOOLSEAL_META_KEY = 'dev.toolseal';
/** The registry refuses publisher-provided `_meta` whose JSON is larger than this (bytes). */
export const PUBLISHER_META_MAX_BYTES = 4096;

/**
 * The fields of an MCP Registry `server.json` the audit reads. Only these are checked;
 * everything else is passed through untouched (the registry's own schema evolves).
 * The name pattern is the registry's: one slash between a reverse-DNS namespace and a name.
 */
export const ServerJsonSchema = z.looseObject({
  name: z.string().min(3).max(200).regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/),
  version: z.string().min(1).max(255),
  packages: z.array(z.looseObject({
    registryType: z.string().min(1),
    identifier: z.string().min(1),
    version: z.string().min(1).optional(),
    registryBaseUrl: z.string().optional(),
  })).optional(),
  _meta: z.record(z.string(), z.unknown()).optional(),
});
/** A server.json as far as the audit needs it. */
export type ServerJson = z.infer<typeof ServerJsonSchema>;

/** toolseal's pointer from a server.json to its attestation. */
export const ToolsealMetaSchema = z.strictObject({
  bundle: z.url({ protocol: /^https?$/ }).describe('URL of the Sigstore bundle (mcp-manifest.sigstore.json).'),
  manifestDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/).optional()
    .describe('The signed manifest digest, `sha256:<hex>`; when given, the signed digest must equal it.'),
}).describe('The dev.toolseal pointer inside the publisher-provided _meta of a server.json.');
/** The `dev.toolseal` pointer. */
export type ToolsealMeta = z.infer<typeof ToolsealMetaSchema>;

/** What reading the toolseal pointer out of a server.json found. */
export type MetaLookup =
  | { kind: 'none' }
  | { kind: 'pointer'; meta: ToolsealMeta }
  | { kind: 'too-large'; bytes: number }
  | { kind: 'invalid'; reason: string };

/** Parses one server.json value; returns the problems as one line when it does not fit. */
export function parseServerJson(value: unknown): { ok: true; server: ServerJson } | { ok: false; reason: string } {
  const parsed = ServerJsonSchema.safeParse(value);
  return parsed.success ? { ok: true, server: parsed.data } : { ok: false, reason: formatZodIssues(parsed.error) };
}

/**
 * Finds the `dev.toolseal` pointer. The size limit is checked first and over the whole
 * publisher-provided object, as the registry measures it (the bytes Go's `json.Marshal`
 * writes, see {@link goJsonByteLength}), so an entry the registry would have refused is
 * reported as such rather than trusted.
 */
export function toolsealMetaOf(server: ServerJson): MetaLookup {
  const provided = server._meta?.[PUBLISHER_META_KEY];
  if (provided === undefined) return { kind: 'none' };
  const bytes = goJsonByteLength(provided);
  if (bytes > PUBLISHER_META_MAX_BYTES) return { kind: 'too-large', bytes };
  if (provided === null || typeof provided !== 'object' || Array.isArray(provided)) {
    return { kind: 'invalid', reason: `_meta["${PUBLISHER_META_KEY}"] is not an object` };
  }
  const pointer = (provided as Record<string, unknown>)[TOOLSEAL_META_KEY];
  if (pointer === undefined) return { kind: 'none' };
  const parsed = ToolsealMetaSchema.safeParse(pointer);
  if (!parsed.success) return { kind: 'invalid', reason: `_meta["${PUBLISHER_META_KEY}"]["${TOOLSEAL_META_KEY}"]: ${formatZodIssues(parsed.error)}` };
  return { kind: 'pointer', meta: parsed.data };
}

/** The file name a bundle has in a `--bundles` directory: the server name with `/` as `__`. */
export function bundleFileName(serverName: string): string {
  return `${serverName.replace(/\//g, '__')}.sigstore.json`;
}
