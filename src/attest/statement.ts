import { z } from 'zod';
import { canonicalBytes, canonicalText, canonicalTextWith, sha256Text } from '../manifest/canonical.js';
import { manifestDigest } from '../manifest/digest.js';
import type { Manifest } from '../manifest/schema.js';

/** The in-toto Statement type toolseal produces and accepts. */
export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

/** The DSSE payload type of an in-toto Statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/**
 * The predicate type of a toolseal attestation: "this manifest is what the server
 * declares". Versioned with the manifest format; cosign users pass it as `--type`.
 */
export const MANIFEST_PREDICATE_TYPE = 'https://toolseal.dev/mcp-manifest/v1';

/** An in-toto ResourceDescriptor as toolseal uses it: a name and a sha256 digest. */
export const SubjectSchema = z.looseObject({
  name: z.string(),
  digest: z.looseObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
});

/** The in-toto Statement v1 envelope around a predicate (the predicate is checked separately). */
export const StatementSchema = z.looseObject({
  _type: z.string(),
  subject: z.array(SubjectSchema).min(1),
  predicateType: z.string(),
  predicate: z.unknown(),
});

/** An in-toto Statement v1 whose predicate is a toolseal manifest. */
export interface ManifestStatement {
  _type: typeof IN_TOTO_STATEMENT_TYPE;
  subject: z.infer<typeof SubjectSchema>[];
  predicateType: typeof MANIFEST_PREDICATE_TYPE;
  predicate: Manifest;
}

/**
 * Builds the statement that gets signed: `subject[0]` binds the manifest digest to the
 * server's name; each artifact with a digest becomes a further subject, so the same
 * attestation also speaks for the package it was made from.
 */
export function buildStatement(manifest: Manifest): ManifestStatement {
  return statementOf(manifest, manifestDigest(manifest).slice('sha256:'.length));
}

function statementOf(manifest: Manifest, digestHex: string): ManifestStatement {
  const artifactSubjects = (manifest.artifacts ?? [])
    .filter((a) => a.digest)
    .map((a) => ({ name: a.uri, digest: { sha256: a.digest!.sha256 } }));
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [
      { name: manifest.server.name, digest: { sha256: digestHex } },
      ...artifactSubjects,
    ],
    predicateType: MANIFEST_PREDICATE_TYPE,
    predicate: manifest,
  };
}

/**
 * The exact bytes that are signed: the statement in RFC 8785 form, so re-signing the
 * same manifest yields the same payload.
 */
export function statementPayload(statement: ManifestStatement): Buffer {
  return Buffer.from(canonicalBytes(statement));
}

/**
 * {@link buildStatement} and {@link statementPayload} in one, canonicalizing the manifest once:
 * its RFC 8785 text is hashed for `subject[0]` and is also the predicate's part of the payload
 * (the same bytes `statementPayload(buildStatement(manifest))` gives, about half the work).
 */
export function signedStatement(manifest: Manifest): { statement: ManifestStatement; payload: Buffer } {
  const manifestText = canonicalText(manifest);
  const statement = statementOf(manifest, sha256Text(manifestText));
  return { statement, payload: Buffer.from(canonicalTextWith(statement, { predicate: manifestText }), 'utf8') };
}
