import { InputError, VerificationError } from '../errors.js';
import { parseStrictJsonCanonical } from '../io/strict-json.js';
import { formatZodIssues } from '../io/zod-issues.js';
import { validateManifest } from '../manifest/build.js';
import { manifestDigest } from '../manifest/digest.js';
import { sha256Text, type Sha256Digest } from '../manifest/canonical.js';
import type { Manifest } from '../manifest/schema.js';
import {
  IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_TYPE, MANIFEST_PREDICATE_TYPE, StatementSchema,
  type ManifestStatement,
} from './statement.js';

/** What a verified attestation says, read from the signed bytes themselves. */
export interface AttestedManifest {
  statement: ManifestStatement;
  manifest: Manifest;
  /** The digest recomputed from the predicate, equal to `subject[0]`. */
  digest: Sha256Digest;
}

/**
 * Reads a signed DSSE payload as a toolseal attestation. It parses the payload bytes
 * that were signed (never a re-serialization), then checks what sigstore-js does not
 * check for DSSE: the payload type, the statement type, the predicate type, and that
 * `subject[0]` is the digest of the predicate. Artifact subjects must match the
 * manifest's `artifacts`, so neither can be swapped independently.
 *
 * @throws VerificationError `PAYLOAD_TYPE_MISMATCH`, `STATEMENT_TYPE_MISMATCH`,
 *   `PREDICATE_TYPE_MISMATCH`, `SUBJECT_DIGEST_MISMATCH`, `STATEMENT_SUBJECT_MISMATCH`, `PAYLOAD_INVALID`
 */
export function parseAttestation(payloadType: string, payload: Uint8Array, source = 'the bundle'): AttestedManifest {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new VerificationError('PAYLOAD_TYPE_MISMATCH', `${source} signs a "${payloadType}" payload, not an in-toto statement (${IN_TOTO_PAYLOAD_TYPE}); it is not a toolseal attestation.`);
  }
  const { statement, predicateText } = readStatement(payload, source);
  if (statement._type !== IN_TOTO_STATEMENT_TYPE) {
    throw new VerificationError('STATEMENT_TYPE_MISMATCH', `${source} has statement type "${statement._type}"; expected ${IN_TOTO_STATEMENT_TYPE}.`);
  }
  if (statement.predicateType !== MANIFEST_PREDICATE_TYPE) {
    throw new VerificationError('PREDICATE_TYPE_MISMATCH', `${source} attests "${statement.predicateType}", not an MCP manifest (${MANIFEST_PREDICATE_TYPE}). Check that you passed the right bundle.`);
  }
  const manifest = readPredicate(statement.predicate, source);
  // Validation never changes a manifest's canonical bytes (see validateManifest), so when the
  // signed predicate is already written in RFC 8785 form (toolseal signs it so) its text is
  // those bytes: hash it instead of canonicalizing the parsed manifest a second time.
  const digest = predicateText !== undefined ? `sha256:${sha256Text(predicateText)}` as const : manifestDigest(manifest);
  checkSubjects(statement, manifest, digest, source);
  return { statement: statement as ManifestStatement, manifest, digest };
}

function readStatement(payload: Uint8Array, source: string) {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch (err) {
    throw new VerificationError('PAYLOAD_INVALID', `${source}'s signed payload is not UTF-8 text.`, { cause: err });
  }
  let document: ReturnType<typeof parseStrictJsonCanonical>;
  try {
    document = parseStrictJsonCanonical(text, `${source}'s signed payload`);
  } catch (err) {
    throw new VerificationError('PAYLOAD_INVALID', (err as InputError).message, { cause: err });
  }
  const result = StatementSchema.safeParse(document.value);
  if (!result.success) {
    throw new VerificationError('PAYLOAD_INVALID', `${source}'s signed payload is not an in-toto statement: ${formatZodIssues(result.error)}.`);
  }
  return { statement: result.data, predicateText: document.canonicalMember('predicate') };
}

function readPredicate(predicate: unknown, source: string): Manifest {
  try {
    return validateManifest(predicate, `${source}'s signed manifest`);
  } catch (err) {
    throw new VerificationError('PAYLOAD_INVALID', (err as Error).message, { cause: err });
  }
}

function checkSubjects(statement: { subject: { name: string; digest: { sha256: string } }[] }, manifest: Manifest, digest: Sha256Digest, source: string): void {
  const [first, ...rest] = statement.subject;
  const hex = digest.slice('sha256:'.length);
  if (first!.digest.sha256 !== hex) {
    throw new VerificationError('SUBJECT_DIGEST_MISMATCH', `${source}'s subject digest sha256:${first!.digest.sha256} is not the digest of its manifest (${digest}); the payload was altered or built wrongly.`);
  }
  if (first!.name !== manifest.server.name) {
    throw new VerificationError('STATEMENT_SUBJECT_MISMATCH', `${source}'s subject names "${first!.name}" but its manifest is for server "${manifest.server.name}".`);
  }
  const expected = (manifest.artifacts ?? []).filter((a) => a.digest).map((a) => `${a.uri}@${a.digest!.sha256}`);
  const found = rest.map((s) => `${s.name}@${s.digest.sha256}`);
  if (expected.join('\n') !== found.join('\n')) {
    throw new VerificationError('STATEMENT_SUBJECT_MISMATCH', `${source}'s artifact subjects (${found.join(', ') || 'none'}) do not match its manifest's artifacts (${expected.join(', ') || 'none'}).`);
  }
}
