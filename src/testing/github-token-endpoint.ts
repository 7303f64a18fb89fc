import { randomBytes, timingSafeEqual } from 'node:crypto';
import { jsonError, jsonResponse, startLoopbackServer } from './http-server.js';
import type { LocalSigstore } from './local-sigstore.js';
import type { GitHubActionsClaims } from './oidc-issuer.js';

/** A running imitation of GitHub Actions' OIDC token endpoint. */
export interface GitHubActionsTokenEndpoint {
  /** The value for `ACTIONS_ID_TOKEN_REQUEST_URL` (already has a query; clients append `&audience=`). */
  readonly url: string;
  /** The value for `ACTIONS_ID_TOKEN_REQUEST_TOKEN`. */
  readonly requestToken: string;
  close(): Promise<void>;
}

const TOKEN_PATH = '/_apis/actions/idtoken/request';

/**
 * Serves `GET <url>&audience=<aud>` with `Authorization: bearer <requestToken>` as GitHub
 * Actions does: `{"value": "<jwt>"}` minted by `localSigstore` with `claims` and the requested
 * audience (GitHub's default audience, the owner URL, when none is asked for). A missing or wrong
 * bearer token gets 401.
 */
export async function startGitHubActionsTokenEndpoint(
  localSigstore: Pick<LocalSigstore, 'mintIdentityToken'>,
  claims: GitHubActionsClaims = {},
): Promise<GitHubActionsTokenEndpoint> {
  const requestToken = randomBytes(24).toString('base64url');
  const expected = Buffer.from(`bearer ${requestToken}`);
  const server = await startLoopbackServer(async ({ method, url, headers }) => {
    if (method !== 'GET' || url.pathname !== TOKEN_PATH) return undefined;
    const given = Buffer.from(schemeLowercased(headers.authorization ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return jsonError(401, 'bad credentials: the Authorization bearer token is missing or wrong');
    }
    const owner = typeof claims.repository_owner === 'string' ? claims.repository_owner : 'acme';
    const audience = url.searchParams.get('audience') ?? `https://github.com/${owner}`;
    return jsonResponse(200, { count: 1, value: localSigstore.mintIdentityToken({ ...claims, aud: audience }) });
  });
  return { url: `${server.url}${TOKEN_PATH}?api-version=2.0`, requestToken, close: () => server.close() };
}

/** HTTP auth schemes are case-insensitive: `Bearer x` and `bearer x` are the same credential. */
function schemeLowercased(header: string): string {
  const space = header.indexOf(' ');
  return space < 0 ? header : header.slice(0, space).toLowerCase() + header.slice(space);
}
