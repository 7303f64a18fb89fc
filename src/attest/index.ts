/** The in-toto statement a manifest is signed as, and reading it back from a DSSE payload. */
export {
  buildStatement, signedStatement, statementPayload, IN_TOTO_STATEMENT_TYPE, IN_TOTO_PAYLOAD_TYPE, MANIFEST_PREDICATE_TYPE,
  StatementSchema, type ManifestStatement,
} from './statement.js';
export { parseAttestation, type AttestedManifest } from './parse.js';
