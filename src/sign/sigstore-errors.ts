import type { CodeOf } from '../error-codes.js';
import { SigningError } from '../errors.js';

const HINTS: Partial<Record<CodeOf<'SigningError'>, string>> = {
  'CA_CREATE_SIGNING_CERTIFICATE_ERROR': 'Fulcio refused or could not issue a certificate; check the identity token (expired? audience "sigstore"?) and --fulcio-url.',
  'TLOG_CREATE_ENTRY_ERROR': 'Rekor could not record the signature; check --rekor-url and that the log is reachable.',
  'TSA_CREATE_TIMESTAMP_ERROR': 'The timestamp authority did not answer; check --tsa-url.',
  'IDENTITY_TOKEN_READ_ERROR': 'The identity token could not be obtained.',
  'IDENTITY_TOKEN_PARSE_ERROR': 'The identity token is not a valid JWT.',
};

/**
 * Maps an error from sigstore-js's signing pipeline to a {@link SigningError} with a
 * hint, removing the identity token from every message (sigstore-js includes the raw
 * token in one of its errors).
 */
export function toSigningError(err: unknown, secret?: string): SigningError {
  if (err instanceof SigningError) return err;
  const e = err as { code?: string; message?: string; cause?: { message?: string } };
  // sigstore-js's own codes are kept where toolseal registers them; any other is SIGNING_FAILED.
  const code = typeof e?.code === 'string' && Object.hasOwn(HINTS, e.code) ? (e.code as CodeOf<'SigningError'>) : 'SIGNING_FAILED';
  const detail = [e?.message, e?.cause?.message].filter(Boolean).join(': ');
  const hint = HINTS[code] ?? 'Signing failed.';
  return new SigningError(code, redact(`${hint} (${detail || String(err)})`, secret));
}

/** Replaces the secret, and anything shaped like a JWT, with a placeholder. */
export function redact(text: string, secret?: string): string {
  let out = secret ? text.split(secret).join('<redacted token>') : text;
  out = out.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '<redacted token>');
  return out;
}
