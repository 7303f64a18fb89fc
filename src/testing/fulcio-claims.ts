import type { JwtClaims } from './jwt.js';

/** One certificate extension Fulcio derives from token claims. */
export interface ClaimExtension {
  oid: string;
  value: string;
  /** Legacy extensions (.1.1–.1.6) hold the raw string bytes; the rest a DER UTF8String. */
  legacy: boolean;
}

/** What the local Fulcio certifies: the subject alternative name and the extensions. */
export interface CertifiedIdentity {
  san: { type: 'url' | 'email'; value: string };
  extensions: ClaimExtension[];
}

const FULCIO = '1.3.6.1.4.1.57264.1';

/**
 * GitHub Actions claims → Fulcio OIDs, per sigstore/fulcio docs/oid-info.md and the GitHub
 * entry of Fulcio's CI-provider config. `url:` values are prefixed with the server URL.
 */
const GITHUB_EXTENSIONS: ReadonlyArray<readonly [oid: number, claim: string, form: 'raw' | 'url' | 'legacy']> = [
  [2, 'event_name', 'legacy'],
  [3, 'sha', 'legacy'],
  [4, 'workflow', 'legacy'],
  [5, 'repository', 'legacy'],
  [6, 'ref', 'legacy'],
  [9, 'job_workflow_ref', 'url'],
  [10, 'job_workflow_sha', 'raw'],
  [11, 'runner_environment', 'raw'],
  [12, 'repository', 'url'],
  [13, 'sha', 'raw'],
  [14, 'ref', 'raw'],
  [15, 'repository_id', 'raw'],
  [16, 'repository_owner', 'url'],
  [17, 'repository_owner_id', 'raw'],
  [18, 'workflow_ref', 'url'],
  [19, 'workflow_sha', 'raw'],
  [20, 'event_name', 'raw'],
  [22, 'repository_visibility', 'raw'],
  [23, 'environment', 'raw'],
];

/** The issuer extensions every Fulcio certificate carries: .1.1 (raw bytes) and .1.8 (DER). */
function issuerExtensions(issuer: string): ClaimExtension[] {
  return [
    { oid: `${FULCIO}.1`, value: issuer, legacy: true },
    { oid: `${FULCIO}.8`, value: issuer, legacy: false },
  ];
}

/**
 * Maps a verified GitHub Actions token to what Fulcio certifies: SAN URI
 * `<serverUrl>/<job_workflow_ref>` and the GitHub extensions .1.2–.1.6 (legacy) and .1.9–.1.23.
 * Claims that are absent produce no extension, except `job_workflow_ref` (the identity), which is required.
 */
export function githubIdentity(claims: JwtClaims, serverUrl: string): CertifiedIdentity {
  const jobWorkflowRef = claims['job_workflow_ref'];
  if (typeof jobWorkflowRef !== 'string' || jobWorkflowRef === '') {
    throw new Error('GitHub Actions token has no job_workflow_ref claim; Fulcio cannot name the signer');
  }
  const extensions = issuerExtensions(String(claims['iss']));
  for (const [n, claim, form] of GITHUB_EXTENSIONS) {
    const value = claims[claim];
    if (typeof value !== 'string' || value === '') continue;
    const text = form === 'url' ? `${serverUrl}/${value}` : value;
    extensions.push({ oid: `${FULCIO}.${n}`, value: text, legacy: form === 'legacy' });
  }
  const { repository, run_id: runId, run_attempt: runAttempt } = claims;
  if ([repository, runId, runAttempt].every((v) => typeof v === 'string' && v !== '')) {
    const uri = `${serverUrl}/${String(repository)}/actions/runs/${String(runId)}/attempts/${String(runAttempt)}`;
    extensions.push({ oid: `${FULCIO}.21`, value: uri, legacy: false });
  }
  extensions.sort((a, b) => Number(a.oid.split('.').pop()) - Number(b.oid.split('.').pop()));
  return { san: { type: 'url', value: `${serverUrl}/${jobWorkflowRef}` }, extensions };
}

/**
 * Maps a token from any other issuer: an email SAN when the token carries a verified `email`
 * (Fulcio refuses unverified emails), otherwise a URI SAN of `sub`.
 */
export function genericIdentity(claims: JwtClaims): CertifiedIdentity {
  const extensions = issuerExtensions(String(claims['iss']));
  const email = claims['email'];
  if (typeof email === 'string') {
    if (claims['email_verified'] !== true) throw new Error('identity token email is not verified (email_verified)');
    return { san: { type: 'email', value: email }, extensions };
  }
  const sub = claims['sub'];
  if (typeof sub !== 'string' || sub === '') throw new Error('identity token has neither email nor sub claim');
  return { san: { type: 'url', value: sub }, extensions };
}
