import { InputError, VerificationError } from '../../errors.js';
import { parseStrictJson } from '../../io/strict-json.js';

const STATEMENT_TYPES = new Set(['https://in-toto.io/Statement/v1', 'https://in-toto.io/Statement/v0.1']);

/**
 * The minimal in-toto check the conformance client needs: the signed payload is an
 * in-toto Statement and one of its subjects has the given SHA-256. toolseal's own
 * manifest statements get the full check in `src/attest`.
 *
 * @throws VerificationError `STATEMENT_INVALID` or `SUBJECT_DIGEST_MISMATCH`
 */
export function checkInTotoSubject(payload: Uint8Array, sha256Hex: string): void {
  let statement: unknown;
  try {
    statement = parseStrictJson(new TextDecoder('utf-8', { fatal: true }).decode(payload), 'the signed in-toto statement');
  } catch (err) {
    if (err instanceof InputError || err instanceof TypeError) {
      throw new VerificationError('STATEMENT_INVALID', `The signed DSSE payload is not an in-toto statement: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
  const s = statement as { _type?: unknown; subject?: unknown };
  if (typeof s !== 'object' || s === null || !STATEMENT_TYPES.has(s._type as string) || !Array.isArray(s.subject)) {
    throw new VerificationError('STATEMENT_INVALID', 'The signed DSSE payload is not an in-toto statement (missing or unknown "_type", or no "subject" list).');
  }
  const digests = s.subject.map((sub) => (sub as { digest?: { sha256?: unknown } } | null)?.digest?.sha256);
  if (!digests.includes(sha256Hex.toLowerCase())) {
    throw new VerificationError('SUBJECT_DIGEST_MISMATCH', `The artifact's SHA-256 is ${sha256Hex}, but the signed statement's subjects have ${digests.filter((d) => typeof d === 'string').join(', ') || 'no sha256 digest'}. The bundle was made for a different artifact.`);
  }
}
