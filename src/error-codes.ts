/**
 * The one registry of toolseal's stable codes: every code an error class raises, and every
 * code a finding carries (verdict problems, guard decisions, audit records), each with one
 * meaning. Error classes take only their own codes (see `src/errors.ts`), and
 * `test/unit/error-codes.test.ts` holds the registry against the source: every code raised is
 * here under its class, no code has two classes, no code here is unused.
 */

/** The error classes, by name. */
export type ErrorClassName = 'InputError' | 'ManifestError' | 'CaptureError' | 'PolicyError' | 'SigningError' | 'TrustError' | 'VerificationError';

/** Codes errors are raised with: class and meaning. */
export const ERROR_CODES = {
  CAPTURE_FAILED: { class: 'CaptureError', meaning: 'the server completed initialize without what a capture needs (protocol version, capabilities)' },
  CURSOR_LOOP: { class: 'CaptureError', meaning: 'the server repeated a pagination cursor: its list can never be complete' },
  LIST_MALFORMED: { class: 'CaptureError', meaning: 'a list result has no array of entry objects, or a cursor that is not a string' },
  LIST_TOO_LARGE: { class: 'CaptureError', meaning: 'the list results exceed the byte limit of one read' },
  LIST_UNSTABLE: { class: 'CaptureError', meaning: 'the server changed a list while it was read, twice in a row' },
  NOT_INITIALIZED: { class: 'CaptureError', meaning: 'a capture was asked of a client that has not completed initialize' },
  SERVER_CLOSED: { class: 'CaptureError', meaning: 'the server closed the connection (exited) during a request' },
  SERVER_ERROR: { class: 'CaptureError', meaning: 'the server answered a request the capture needs with a JSON-RPC error' },
  SERVER_JSON_INVALID: { class: 'CaptureError', meaning: 'the server sent bytes or JSON the strict reader refuses (not UTF-8, duplicate keys, lone surrogates, overflow, depth)' },
  SERVER_MESSAGE_INVALID: { class: 'CaptureError', meaning: 'the server sent JSON that is not a JSON-RPC 2.0 message' },
  SERVER_MESSAGE_TOO_LARGE: { class: 'CaptureError', meaning: 'the server sent a message longer than the limit' },
  SERVER_SPAWN_FAILED: { class: 'CaptureError', meaning: 'the server command could not be started' },
  SERVER_TIMEOUT: { class: 'CaptureError', meaning: 'the server did not answer a request in time' },
  SERVER_UNREACHABLE: { class: 'CaptureError', meaning: 'the HTTP server could not be reached or refused the connection' },
  SESSION_CLOSED: { class: 'CaptureError', meaning: 'a request was made on, or pending at the end of, a guard session that closed' },
  TOO_MANY_PAGES: { class: 'CaptureError', meaning: 'the server returned more pages of a list than the limit' },
  UPSTREAM_CLOSED: { class: 'CaptureError', meaning: 'the server behind a guard session closed the connection' },
  ARTIFACT_HASH_UNSUPPORTED: { class: 'InputError', meaning: 'a digest was given for an artifact whose bundle signs another hash' },
  ARTIFACT_INVALID: { class: 'InputError', meaning: 'an --artifact value is not a URI' },
  ARTIFACT_REQUIRED: { class: 'InputError', meaning: 'a message-signature bundle was verified without its artifact' },
  AUDIT_CONCURRENCY_INVALID: { class: 'InputError', meaning: 'the audit concurrency is not a whole number in range' },
  AUDIT_LOG_UNWRITABLE: { class: 'InputError', meaning: 'the audit log file cannot be opened for appending' },
  AUDIT_SOURCE_REQUIRED: { class: 'InputError', meaning: 'an audit was started without exactly one source' },
  BUNDLE_FETCH_FAILED: { class: 'InputError', meaning: 'a bundle URL could not be fetched' },
  BUNDLE_MALFORMED: { class: 'InputError', meaning: 'the file is not a valid Sigstore bundle (or uses a hash toolseal does not verify)' },
  COMMAND_INVALID: { class: 'InputError', meaning: 'the server command line is empty or malformed' },
  CWD_INVALID: { class: 'InputError', meaning: 'the server working directory does not exist' },
  ENV_FILE_INVALID: { class: 'InputError', meaning: 'an env file line is not NAME=value' },
  ENV_FILE_UNREADABLE: { class: 'InputError', meaning: 'an env file cannot be read' },
  ENV_INVALID: { class: 'InputError', meaning: 'an --env value is not NAME=value' },
  FILE_NOT_UTF8: { class: 'InputError', meaning: 'a file is not valid UTF-8' },
  FILE_UNREADABLE: { class: 'InputError', meaning: 'a file cannot be read' },
  FILE_UNWRITABLE: { class: 'InputError', meaning: 'a file cannot be written' },
  INPUT_INVALID: { class: 'InputError', meaning: 'an Action input is invalid' },
  JSON_DUPLICATE_KEY: { class: 'InputError', meaning: 'JSON with the same key twice in one object' },
  JSON_INVALID: { class: 'InputError', meaning: 'text that is not JSON' },
  JSON_LONE_SURROGATE: { class: 'InputError', meaning: 'JSON with an unpaired UTF-16 surrogate' },
  JSON_NON_FINITE: { class: 'InputError', meaning: 'JSON with a number that overflows to infinity' },
  JSON_TOO_DEEP: { class: 'InputError', meaning: 'JSON nested deeper than the limit' },
  LISTEN_FAILED: { class: 'InputError', meaning: 'the HTTP proxy cannot listen on the address' },
  MATCH_MODE_INVALID: { class: 'InputError', meaning: 'a match mode other than exact or subset' },
  MIN_VERSION_INVALID: { class: 'InputError', meaning: 'a minimum version that is not semver' },
  OUTPUT_INVALID: { class: 'InputError', meaning: 'an Action output value contains its delimiter' },
  PROFILE_INVALID: { class: 'InputError', meaning: 'a client profile file is invalid' },
  REGISTRY_CURSOR_LOOP: { class: 'InputError', meaning: 'the registry repeated a pagination cursor' },
  REGISTRY_PAGE_LIMIT: { class: 'InputError', meaning: 'the registry had more pages than the limit' },
  REGISTRY_RESPONSE_INVALID: { class: 'InputError', meaning: 'the registry answered with something that is not strict JSON of the expected shape' },
  REGISTRY_UNREACHABLE: { class: 'InputError', meaning: 'the registry could not be read' },
  REGISTRY_URL_INVALID: { class: 'InputError', meaning: 'the registry URL is not a URL' },
  REQUEST_TOO_LARGE: { class: 'InputError', meaning: 'an HTTP request body over the limit' },
  SERVER_JSON_PATH_MISSING: { class: 'InputError', meaning: 'a server.json path cannot be read' },
  SERVER_SPEC_INVALID: { class: 'InputError', meaning: 'the server to run is specified wrongly (no command or URL, or both)' },
  SIGNER_OPTIONS_CONFLICT: { class: 'InputError', meaning: 'signing options that contradict each other' },
  SIGN_SOURCE_INVALID: { class: 'InputError', meaning: 'sign was given no server or manifest, or both' },
  URL_INVALID: { class: 'InputError', meaning: 'a server URL that is not a valid http(s) URL' },
  USAGE: { class: 'InputError', meaning: 'the command line is used wrongly' },
  DIGEST_MALFORMED: { class: 'ManifestError', meaning: 'a digest that is not sha256:<64 hex>' },
  DUPLICATE_ENTRY: { class: 'ManifestError', meaning: 'two entries of one list with the same key' },
  EXCLUDE_PATH_INVALID: { class: 'ManifestError', meaning: 'an exclude path that is malformed or would remove keys, whole entries or required fields' },
  MANIFEST_INVALID: { class: 'ManifestError', meaning: 'a document that is not a valid manifest v1 (schema, exclude paths, a __proto__ member)' },
  MANIFEST_UNSORTED: { class: 'ManifestError', meaning: 'a manifest whose lists are not sorted by key' },
  NOT_CANONICALIZABLE: { class: 'ManifestError', meaning: 'a value RFC 8785 cannot encode' },
  AUDIT_POLICY_INVALID: { class: 'PolicyError', meaning: 'an audit policy file that is not valid' },
  PUBLIC_KEY_INVALID: { class: 'PolicyError', meaning: 'a public key (in a policy or a flag) that is not a PEM public key' },
  POLICY_FLAGS_CONFLICT: { class: 'PolicyError', meaning: 'policy flags that contradict each other' },
  POLICY_FLAGS_MISSING: { class: 'PolicyError', meaning: 'policy flags that name no signer or no issuer' },
  POLICY_INVALID: { class: 'PolicyError', meaning: 'a policy that is not valid' },
  POLICY_KEY_UNREADABLE: { class: 'PolicyError', meaning: 'a policy names a key file that cannot be used' },
  POLICY_OPTIONS_CONFLICT: { class: 'PolicyError', meaning: 'a policy file combined with inline policy options' },
  STAGING_UNSUPPORTED: { class: 'PolicyError', meaning: '--staging without a trusted root' },
  IDENTITY_TOKEN_MALFORMED: { class: 'SigningError', meaning: 'an identity token that is not an OIDC JWT' },
  IDENTITY_TOKEN_REQUEST_FAILED: { class: 'SigningError', meaning: 'the OIDC token endpoint could not be reached' },
  KEY_EXISTS: { class: 'SigningError', meaning: 'keygen would overwrite a private key' },
  SIGNING_KEY_INVALID: { class: 'SigningError', meaning: 'a private key that cannot be read (or a wrong passphrase)' },
  KEY_UNSUPPORTED: { class: 'SigningError', meaning: 'a private key of a type or curve toolseal does not sign with' },
  NO_IDENTITY_TOKEN: { class: 'SigningError', meaning: 'no OIDC identity token is available' },
  SIGNING_FAILED: { class: 'SigningError', meaning: 'sigstore-js signing failed for another reason' },
  CA_CREATE_SIGNING_CERTIFICATE_ERROR: { class: 'SigningError', meaning: 'Fulcio refused or could not issue a certificate' },
  TLOG_CREATE_ENTRY_ERROR: { class: 'SigningError', meaning: 'Rekor could not record the signature' },
  TSA_CREATE_TIMESTAMP_ERROR: { class: 'SigningError', meaning: 'the timestamp authority did not answer' },
  IDENTITY_TOKEN_READ_ERROR: { class: 'SigningError', meaning: 'the identity token could not be obtained' },
  IDENTITY_TOKEN_PARSE_ERROR: { class: 'SigningError', meaning: 'the identity token is not a valid JWT' },
  TRUSTED_ROOT_INVALID: { class: 'TrustError', meaning: 'a trusted root that is not usable' },
  TUF_UNAVAILABLE: { class: 'TrustError', meaning: 'the trusted root could not be obtained through TUF' },
  ARTIFACT_DIGEST_MISMATCH: { class: 'VerificationError', meaning: 'the artifact is not the one the bundle signs' },
  BUNDLE_NOT_OFFERED: { class: 'VerificationError', meaning: 'the server offers no bundle to verify' },
  BUNDLE_UNSUPPORTED: { class: 'VerificationError', meaning: 'the bundle uses a feature toolseal cannot verify' },
  CERTIFICATE_CHAIN_INVALID: { class: 'VerificationError', meaning: 'the signing certificate does not chain to a trusted CA (or the bundle brings its own root)' },
  CERTIFICATE_EXTENSION_MALFORMED: { class: 'VerificationError', meaning: 'a certificate identity extension that cannot be read strictly' },
  CERTIFICATE_IDENTITY_AMBIGUOUS: { class: 'VerificationError', meaning: 'a certificate that names several signers or issuers' },
  CERTIFICATE_IDENTITY_MISSING: { class: 'VerificationError', meaning: 'a certificate that names no signer' },
  EXCLUDE_MODEL_VISIBLE: { class: 'VerificationError', meaning: 'the signed manifest leaves model-visible text unsigned (exclude) and the policy does not allow that path' },
  GITHUB_CLAIM_MISMATCH: { class: 'VerificationError', meaning: 'the certificate\'s GitHub claims differ from the policy\'s pins (wrong signer)' },
  IDENTITY_MISMATCH: { class: 'VerificationError', meaning: 'the signer is none of the identities the policy accepts (wrong signer)' },
  ISSUER_MISMATCH: { class: 'VerificationError', meaning: 'the certificate\'s OIDC issuer is not the policy\'s (wrong signer)' },
  KEY_MISMATCH: { class: 'VerificationError', meaning: 'the bundle names a key the policy does not accept (wrong signer)' },
  KEY_SIGNATURE_INVALID: { class: 'VerificationError', meaning: 'a key signature does not verify with the policy\'s keys: the content was altered, or another key signed it' },
  MANIFEST_DIGEST_MISMATCH: { class: 'VerificationError', meaning: 'the signed manifest is not the one the policy pins' },
  MANIFEST_DRIFT: { class: 'VerificationError', meaning: 'a live server no longer matches a committed manifest (Action)' },
  NOT_AN_ATTESTATION: { class: 'VerificationError', meaning: 'the bundle signs a bare message, not a DSSE attestation' },
  PAYLOAD_INVALID: { class: 'VerificationError', meaning: 'the signed payload is not UTF-8 JSON' },
  PAYLOAD_TYPE_MISMATCH: { class: 'VerificationError', meaning: 'the DSSE payload is not an in-toto statement' },
  PREDICATE_TYPE_MISMATCH: { class: 'VerificationError', meaning: 'the statement attests something other than an MCP manifest' },
  ROLLBACK: { class: 'VerificationError', meaning: 'the signed manifest is older than the policy\'s minVersion (or not semver)' },
  SERVER_NAME_MISMATCH: { class: 'VerificationError', meaning: 'the signed manifest is for another server than the policy names' },
  SIGNATURE_INVALID: { class: 'VerificationError', meaning: 'the signature does not verify over the signed content' },
  SIGNER_KIND_MISMATCH: { class: 'VerificationError', meaning: 'a keyless signature where the policy wants a key, or the reverse (wrong signer)' },
  STATEMENT_INVALID: { class: 'VerificationError', meaning: 'the statement cannot be read as an in-toto statement' },
  STATEMENT_SUBJECT_MISMATCH: { class: 'VerificationError', meaning: 'the statement contradicts itself: its subjects do not match its manifest (name or artifacts)' },
  STATEMENT_TYPE_MISMATCH: { class: 'VerificationError', meaning: 'the statement type is not in-toto v1' },
  SUBJECT_DIGEST_MISMATCH: { class: 'VerificationError', meaning: 'the statement\'s subject digest is not the digest of its manifest' },
  SUBJECT_MISMATCH: { class: 'VerificationError', meaning: 'the certificate\'s subject (SAN) is not the one the policy expects (wrong signer)' },
  TIMESTAMP_INVALID: { class: 'VerificationError', meaning: 'the bundle has no trustworthy timestamp' },
  TLOG_INVALID: { class: 'VerificationError', meaning: 'the transparency-log entry or its proof does not verify' },
  VERIFICATION_FAILED: { class: 'VerificationError', meaning: 'the bundle does not verify for a reason sigstore-js does not name' },
  TOOL_NOT_VERIFIED: { class: 'VerificationError', meaning: 'the guard does not expose the tool a call names' },
  PROMPT_NOT_VERIFIED: { class: 'VerificationError', meaning: 'the guard does not expose the prompt a request names' },
  RESOURCE_NOT_VERIFIED: { class: 'VerificationError', meaning: 'the guard does not expose the resource a request names' },
  SESSION_REFUSED: { class: 'VerificationError', meaning: 'enforce: block refused the server; the session ended' },
  APPROVER_KIND_MISMATCH: { class: 'PolicyError', meaning: 'an approval signed the other way (key or keyless) than the lock approvers sign' },
  APPROVE_AMBIGUOUS: { class: 'InputError', meaning: 'one server name configured differently in two client files, so one lock entry cannot pin it' },
  APPROVE_NOT_CAPTURED: { class: 'InputError', meaning: 'a server to approve could not be captured' },
  CAPTURE_BAD_RESULT: { class: 'CaptureError', meaning: 'a server/discover result without what a capture needs (supported versions)' },
  CONFIG_CLIENT_UNKNOWN: { class: 'InputError', meaning: 'a client configuration file whose client cannot be told' },
  CONFIG_INVALID: { class: 'InputError', meaning: 'a client configuration file of the wrong shape' },
  CONFIG_SERVER_INVALID: { class: 'InputError', meaning: 'a server entry of a client configuration file that is malformed' },
  DISCOVER_INVALID: { class: 'CaptureError', meaning: 'a server/discover result toolseal cannot read' },
  LAUNCH_UNRESOLVED: { class: 'InputError', meaning: 'a configured server whose launch cannot be resolved (variables, command)' },
  LAUNCH_UNSUPPORTED: { class: 'InputError', meaning: 'a configured server on a transport toolseal does not speak (SSE)' },
  LOCK_ENTRY_MISMATCH: { class: 'InputError', meaning: 'a lock entry whose recorded digest is not what its bundle signs' },
  LOCK_INVALID: { class: 'InputError', meaning: 'a file that is not a valid toolseal lock' },
  PROTOCOL_ERA_INVALID: { class: 'InputError', meaning: 'a protocol era other than auto, modern or legacy' },
  PROTOCOL_ERA_UNAVAILABLE: { class: 'CaptureError', meaning: 'the server does not speak the protocol era asked for' },
  PROTOCOL_UNSUPPORTED: { class: 'CaptureError', meaning: 'the server speaks no protocol version toolseal speaks' },
  SERVER_INFO_INCONSISTENT: { class: 'CaptureError', meaning: 'the server named itself differently in two results of one capture' },
  SERVER_INFO_MISSING: { class: 'CaptureError', meaning: 'the server never named itself' },
  SERVER_NOT_APPROVED: { class: 'VerificationError', meaning: 'the server is not approved in the lock; it is quarantined' },
  TOML_INVALID: { class: 'InputError', meaning: 'a TOML file that does not parse' },
  UNWRAP_NO_BACKUP: { class: 'InputError', meaning: 'unwrap found no toolseal backup to restore' },
  UPSTREAM_FAILED: { class: 'CaptureError', meaning: 'the guard could not complete a request because the server failed or went away' },
} as const satisfies Record<string, { class: ErrorClassName; meaning: string }>;

/**
 * Codes that are reported, not raised: verdict problems, guard findings and audit records.
 * A code may be both raised and reported (`DUPLICATE_ENTRY`), with the same meaning.
 */
export const FINDING_CODES = {
  ENTRY_ADDED: 'the compared manifest has entries the signed one does not',
  ENTRY_REMOVED: 'the compared manifest lacks signed entries (match: exact)',
  ENTRY_RENAMED: 'the compared manifest renamed signed entries',
  ENTRY_CHANGED: 'an entry differs from its signed entry',
  ENTRY_NOT_SIGNED: 'a live entry the signed manifest does not have',
  ENTRY_INVALID: 'a live entry that cannot be verified (no key, not canonicalizable, a __proto__ member)',
  SERVER_CHANGED: 'server name, version, title, instructions or capture facts differ from the signed ones',
  HIDDEN_UNICODE: 'invisible characters in model-visible text that the policy does not allow',
} as const satisfies Record<string, string>;

/** Every code an error can be raised with. */
export type ErrorCode = keyof typeof ERROR_CODES;
/** A code a finding can carry. */
export type FindingCode = keyof typeof FINDING_CODES;

/** The codes of one error class. */
export type CodeOf<C extends ErrorClassName> = { [K in ErrorCode]: (typeof ERROR_CODES)[K]['class'] extends C ? K : never }[ErrorCode];

/** What a code means, or undefined for a code toolseal does not have. */
export function meaningOf(code: string): string | undefined {
  if (Object.hasOwn(ERROR_CODES, code)) return ERROR_CODES[code as ErrorCode].meaning;
  if (Object.hasOwn(FINDING_CODES, code)) return FINDING_CODES[code as FindingCode];
  return undefined;
}
