import { randomBytes, timingSafeEqual } from 'node:crypto';
import { jsonError, jsonResponse, startLoopbackServer, type RouteRequest, type RouteResponse } from './http-server.js';

/** One bundle the imitation stored, with what GitHub derives from it. */
export interface StoredBundle {
  id: number;
  repository: string;
  bundle: unknown;
  /** `sha256:<hex>` of every subject of the DSSE payload's in-toto statement. */
  subjectDigests: string[];
}

/** A running imitation of GitHub's repository attestations API. */
export interface GitHubAttestationsApi {
  /** The value for `GITHUB_API_URL`. */
  readonly url: string;
  /** The token it accepts for writing (`Authorization: Bearer <token>`): a job's `github.token` with `attestations: write`. */
  readonly token: string;
  /** A token it knows without that permission: reading works, storing answers 403. */
  readonly readToken: string;
  /** Every bundle stored so far, oldest first. */
  readonly stored: readonly StoredBundle[];
  close(): Promise<void>;
}

/**
 * Serves the two documented endpoints of GitHub's repository attestations API on loopback:
 * `POST /repos/{owner}/{repo}/attestations` with `{"bundle": <Sigstore bundle>}` answers
 * `201 {"id": N}` (401 without a known bearer token, 403 for the token without write permission,
 * 422 for a body without a DSSE bundle), and
 * `GET /repos/{owner}/{repo}/attestations/sha256:<hex>` answers `{"attestations": [{"bundle",
 * "repository_id"}]}` for the bundles whose statement names that subject digest, as
 * `gh attestation verify` reads them (404 when none).
 */
export async function startGitHubAttestationsApi(): Promise<GitHubAttestationsApi> {
  const token = `ghs_${randomBytes(18).toString('base64url')}`;
  const readToken = `ghs_${randomBytes(18).toString('base64url')}`;
  const stored: StoredBundle[] = [];
  const server = await startLoopbackServer(async (req) => {
    const route = /^\/repos\/([\w.-]+\/[\w.-]+)\/attestations(?:\/(sha256:[0-9a-f]{64}))?$/.exec(req.url.pathname);
    if (!route) return undefined;
    const writer = authorized(req, token);
    if (!writer && !authorized(req, readToken)) return jsonError(401, 'Bad credentials');
    if (req.method === 'POST' && !route[2]) return writer ? create(req, route[1]!, stored) : jsonError(403, 'Resource not accessible by integration');
    if (req.method === 'GET' && route[2]) return list(route[1]!, route[2], stored);
    return undefined;
  });
  return { url: server.url, token, readToken, stored, close: () => server.close() };
}

function authorized(req: RouteRequest, token: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function create(req: RouteRequest, repository: string, stored: StoredBundle[]): RouteResponse {
  let bundle: { mediaType?: unknown; dsseEnvelope?: { payload?: unknown } } | undefined;
  try {
    bundle = (JSON.parse(req.body.toString('utf8')) as { bundle?: typeof bundle }).bundle;
  } catch {
    bundle = undefined;
  }
  const payload = bundle?.dsseEnvelope?.payload;
  if (typeof bundle?.mediaType !== 'string' || !bundle.mediaType.startsWith('application/vnd.dev.sigstore.bundle') || typeof payload !== 'string') {
    return jsonError(422, 'Validation Failed: bundle must be a Sigstore bundle with a DSSE envelope');
  }
  let subjects: { digest?: { sha256?: unknown } }[] = [];
  try {
    subjects = (JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as { subject?: typeof subjects }).subject ?? [];
  } catch {
    return jsonError(422, 'Validation Failed: the DSSE payload is not an in-toto statement');
  }
  const subjectDigests = subjects.flatMap((s) => (typeof s.digest?.sha256 === 'string' ? [`sha256:${s.digest.sha256}`] : []));
  const id = stored.length + 1;
  stored.push({ id, repository, bundle, subjectDigests });
  return jsonResponse(201, { id });
}

function list(repository: string, digest: string, stored: StoredBundle[]): RouteResponse {
  const found = stored.filter((s) => s.repository === repository && s.subjectDigests.includes(digest));
  if (found.length === 0) return jsonError(404, 'Not Found');
  return jsonResponse(200, { attestations: found.map((s) => ({ bundle: s.bundle, repository_id: 812345678 })) });
}
