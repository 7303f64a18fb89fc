import { z } from 'zod';
import { TrustError } from '../../errors.js';
import { formatZodIssues } from '../../io/zod-issues.js';

/** Trusted-root media types toolseal understands. */
export const TRUSTED_ROOT_MEDIA_TYPES = [
  'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  'application/vnd.dev.sigstore.trustedroot.v0.2+json',
] as const;

const Timestamp = z.iso.datetime({ offset: true });
// protobuf JSON writes absent fields as null. A validity window must have a start: a key "valid since forever" would let a log or
// CA key vouch for signatures made before it existed (sigstore-js fills in 1970).
const ValidFor = z.looseObject({ start: Timestamp, end: Timestamp.nullish() })
  .refine((v) => v.end == null || Date.parse(v.end) >= Date.parse(v.start), { message: 'end is before start' });
const Base64 = z.string().min(1).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'not base64');

const TransparencyLog = z.looseObject({
  baseUrl: z.string().optional(),
  hashAlgorithm: z.string().optional(),
  publicKey: z.looseObject({ rawBytes: Base64, keyDetails: z.string().min(1), validFor: ValidFor }),
  logId: z.looseObject({ keyId: Base64 }),
});
const CertificateAuthority = z.looseObject({
  certChain: z.looseObject({ certificates: z.array(z.looseObject({ rawBytes: Base64 })).min(1) }),
  validFor: ValidFor,
});

/** The parts of a trusted root that verification depends on; other fields pass through. */
export const TrustedRootJsonSchema = z.looseObject({
  mediaType: z.enum(TRUSTED_ROOT_MEDIA_TYPES),
  tlogs: z.array(TransparencyLog).min(1),
  certificateAuthorities: z.array(CertificateAuthority).default([]),
  ctlogs: z.array(TransparencyLog).default([]),
  timestampAuthorities: z.array(CertificateAuthority).default([]),
});

/**
 * Checks a trusted root before it is used. Stricter than sigstore-js: every log, CA and
 * TSA must state when its validity starts (conformance case
 * `trust-root-tlog-missing-validity-start_fail`), and timestamps must parse.
 *
 * @throws TrustError `TRUSTED_ROOT_INVALID` naming `source`
 */
export function validateTrustedRootJson(value: unknown, source: string): void {
  const parsed = TrustedRootJsonSchema.safeParse(value);
  if (!parsed.success) {
    throw new TrustError('TRUSTED_ROOT_INVALID', `${source} is not a usable Sigstore trusted root: ${formatZodIssues(parsed.error)}. Get a current trusted_root.json from your Sigstore instance.`);
  }
}
