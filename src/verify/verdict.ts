import { z } from 'zod';
import { ManifestDiffSchema } from '../compare/schema.js';

/** The verdict format's media type. */
export const VERDICT_MEDIA_TYPE = 'application/vnd.toolseal.verdict+json;version=1';

/** Who signed, as verified (mirrors `SignerIdentity`). */
export const SignerSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('keyless'),
    issuer: z.string(),
    subject: z.string(),
    claims: z.record(z.string(), z.string()).describe('Fulcio claim extensions decoded from the certificate (GitHub: repository, ref, workflow, ...)'),
  }),
  z.strictObject({
    kind: z.literal('key'),
    hint: z.string().optional(),
    publicKeyFingerprint: z.string(),
  }),
]);

/** One reason a verification failed, with its stable code (shared by JSON, SARIF and errors). */
export const ProblemSchema = z.strictObject({
  code: z.string(),
  message: z.string(),
});

/**
 * The result of verifying a server (DESIGN §2 Verdict). `ok` is the decision; `problems`
 * say why not; the rest is what was established before the first failure.
 */
export const VerdictSchema = z.strictObject({
  mediaType: z.literal(VERDICT_MEDIA_TYPE),
  ok: z.boolean(),
  problems: z.array(ProblemSchema),
  server: z.strictObject({ name: z.string(), version: z.string() }).optional().describe('the signed server'),
  manifestDigest: z.string().optional().describe('sha256:<hex> of the signed manifest'),
  signer: SignerSchema.optional(),
  log: z.strictObject({
    index: z.string().optional(),
    integratedTime: z.string().optional().describe('RFC 3339'),
  }).optional().describe('transparency-log facts of the signature'),
  excluded: z.array(z.string()).optional().describe('paths the signer chose not to sign (the manifest\'s `exclude`): what the model sees there is unchecked'),
  unchecked: z.array(z.strictObject({ path: z.string(), reason: z.string() })).optional()
    .describe('model- or user-visible places the verdict does not vouch for: exclude paths over model-visible text the policy allowed, and live serverInfo fields no manifest signs (description, websiteUrl, icons)'),
  dynamic: z.array(z.string()).optional().describe('lists the publisher declared dynamic (the user\'s data): not signed and not compared, only scanned for hidden Unicode'),
  compared: z.enum(['live-server', 'manifest-file', 'none']).describe('what the signed manifest was compared with'),
  diff: ManifestDiffSchema.optional(),
});

/** A verification result. */
export type Verdict = z.infer<typeof VerdictSchema>;
/** One reason a verification failed. */
export type Problem = z.infer<typeof ProblemSchema>;
