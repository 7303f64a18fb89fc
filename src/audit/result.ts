import { z } from 'zod';
import { ManifestDiffSchema } from '../compare/schema.js';
import { SignerSchema } from '../verify/verdict.js';
import { AUDIT_STATUSES } from './rules.js';

/** The JSON report's media type. */
export const AUDIT_REPORT_MEDIA_TYPE = 'application/vnd.toolseal.audit-report+json;version=1';

/** The result for one server: exactly one status, and the reason with its stable rule. */
export const ServerAuditSchema = z.strictObject({
  name: z.string().describe('The server name from server.json (or the file/URL when it had none).'),
  version: z.string().optional(),
  origin: z.string().describe('Where the entry came from: a registry URL with #servers/<i>, or a file path.'),
  status: z.enum(AUDIT_STATUSES),
  rule: z.strictObject({ id: z.string(), name: z.string() }),
  reason: z.string().describe('A sentence: what was found and what to do.'),
  code: z.string().optional().describe('The toolseal error code behind the reason, when there is one.'),
  bundle: z.strictObject({
    source: z.string().describe('Bundle URL or file path.'),
    digest: z.string().optional().describe('sha256:<hex> of the bundle bytes (the cache key).'),
  }).optional(),
  policy: z.string().optional().describe('Which policy applied (namespace mapping or default).'),
  manifestDigest: z.string().optional().describe('The signed manifest digest, when the signature verified.'),
  signer: SignerSchema.optional(),
  cached: z.boolean().describe('True when the verification result came from the cache.'),
  registryStatus: z.literal('deprecated').optional()
    .describe('Set when the registry marks this server deprecated; its verdict stands, but users should move off it.'),
  diff: ManifestDiffSchema.optional().describe('With --live: how the live server differs from the signed manifest.'),
});
/** One server's audit result. */
export type ServerAudit = z.infer<typeof ServerAuditSchema>;

/** Counts per status. */
export const AuditSummarySchema = z.strictObject(Object.fromEntries(AUDIT_STATUSES.map((s) => [s, z.number().int()])) as Record<(typeof AUDIT_STATUSES)[number], z.ZodNumber>);

/** How the list was read: which API answered, and what was left out. */
export const AuditListingSchema = z.strictObject({
  api: z.enum(['v0.1', 'v0', 'custom']).optional().describe('The registry API version that answered (registry sources).'),
  url: z.string().optional().describe('The list URL that was read (registry sources).'),
  latestQuery: z.boolean().optional().describe('True when the registry was asked for version=latest and filtered itself.'),
  pages: z.number().int().optional(),
  files: z.number().int().optional(),
  skippedNotLatest: z.number().int().describe('Entries left out because the registry marks them isLatest: false.'),
  skippedDeleted: z.number().int().describe('Entries left out because the registry marks them deleted.'),
  deprecated: z.number().int().describe('Audited servers the registry marks deprecated.'),
});
/** How the list was read. */
export type AuditListing = z.infer<typeof AuditListingSchema>;

/** The whole audit, as `--json` prints it. */
export const AuditReportSchema = z.strictObject({
  mediaType: z.literal(AUDIT_REPORT_MEDIA_TYPE),
  toolVersion: z.string(),
  source: z.string().describe('The registry URL or the server.json paths audited.'),
  complete: z.boolean().describe('False when the audit was interrupted (Ctrl-C): servers not reached are missing.'),
  summary: AuditSummarySchema,
  cache: z.strictObject({ hits: z.number().int(), misses: z.number().int(), writes: z.number().int(), writeErrors: z.number().int() }).optional(),
  listing: AuditListingSchema.optional(),
  servers: z.array(ServerAuditSchema),
});
/** An audit report. */
export type AuditReport = z.infer<typeof AuditReportSchema>;
/** Everything of a report but its servers: what a streamed audit returns once every server has been handed on. */
export type AuditRun = Omit<AuditReport, 'servers'>;
