import { SigningError } from '../errors.js';

/** Where an OIDC identity token was found, for messages (never the token itself). */
export type TokenOrigin = 'flag' | 'SIGSTORE_ID_TOKEN' | 'github-actions';

/** An identity token and the claims a summary may show. */
export interface IdentityToken {
  token: string;
  origin: TokenOrigin;
  issuer: string;
  subject: string;
  /** GitHub Actions tokens: the repository (`owner/name`) and its visibility (`public`, `private`, `internal`). */
  repository?: string;
  repositoryVisibility?: string;
}

/** Inputs for {@link resolveIdentityToken}; `env` defaults to `process.env`. */
export interface IdentityTokenOptions {
  token?: string;
  env?: NodeJS.ProcessEnv;
  audience?: string;
  timeoutMs?: number;
}

/**
 * Finds the OIDC token to sign with, in order: an explicit token (`--identity-token`),
 * `SIGSTORE_ID_TOKEN`, then GitHub Actions' ambient token (requested with audience
 * `sigstore`). The token is checked for JWT shape here so that no later error message
 * (sigstore-js puts the raw token in one) ever has to include it.
 *
 * @throws SigningError `NO_IDENTITY_TOKEN`, `IDENTITY_TOKEN_MALFORMED`, `IDENTITY_TOKEN_REQUEST_FAILED`
 */
export async function resolveIdentityToken(options: IdentityTokenOptions = {}): Promise<IdentityToken> {
  const env = options.env ?? process.env;
  if (options.token) return describeToken(options.token.trim(), 'flag');
  if (env.SIGSTORE_ID_TOKEN) return describeToken(env.SIGSTORE_ID_TOKEN.trim(), 'SIGSTORE_ID_TOKEN');
  if (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    const token = await requestGitHubActionsToken(env.ACTIONS_ID_TOKEN_REQUEST_URL, env.ACTIONS_ID_TOKEN_REQUEST_TOKEN, options.audience ?? 'sigstore', options.timeoutMs ?? 10_000);
    return describeToken(token, 'github-actions');
  }
  if (env.GITHUB_ACTIONS === 'true') {
    throw new SigningError('NO_IDENTITY_TOKEN', 'No OIDC token is available in this GitHub Actions job. Add "permissions: id-token: write" to the job (or the workflow) so toolseal can sign keyless; jobs for pull requests from forks never get one.');
  }
  throw new SigningError('NO_IDENTITY_TOKEN', 'No OIDC identity token was found. Pass --identity-token, set SIGSTORE_ID_TOKEN, run in GitHub Actions with "permissions: id-token: write", or sign with --key.');
}

async function requestGitHubActionsToken(requestUrl: string, bearer: string, audience: string, timeoutMs: number): Promise<string> {
  const url = new URL(requestUrl);
  url.searchParams.set('audience', audience);
  let response: Response;
  try {
    response = await fetch(url, { headers: { Authorization: `bearer ${bearer}`, Accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new SigningError('IDENTITY_TOKEN_REQUEST_FAILED', `Could not reach GitHub Actions' OIDC endpoint at ${url.origin} (${(err as Error).message}).`, { cause: err });
  }
  if (!response.ok) {
    throw new SigningError('IDENTITY_TOKEN_REQUEST_FAILED', `GitHub Actions' OIDC endpoint answered HTTP ${response.status}. Check that the job has "permissions: id-token: write".`);
  }
  const body = (await response.json().catch(() => ({}))) as { value?: unknown };
  if (typeof body.value !== 'string') {
    throw new SigningError('IDENTITY_TOKEN_REQUEST_FAILED', "GitHub Actions' OIDC endpoint answered without a token.");
  }
  return body.value;
}

/** Decodes (does not verify: Fulcio does) the claims a summary shows. */
export function describeToken(token: string, origin: TokenOrigin): IdentityToken {
  const claims = decodeJwtClaims(token, origin);
  const issuer = typeof claims.iss === 'string' ? claims.iss : '';
  const subject = typeof claims.email === 'string' ? claims.email : typeof claims.sub === 'string' ? claims.sub : '';
  if (!issuer) {
    throw new SigningError('IDENTITY_TOKEN_MALFORMED', `The identity token from ${origin} has no "iss" claim; it is not an OIDC identity token.`);
  }
  const claim = (name: string): string | undefined => (typeof claims[name] === 'string' ? claims[name] : undefined);
  const repository = claim('repository');
  const visibility = claim('repository_visibility');
  return { token, origin, issuer, subject, ...(repository ? { repository } : {}), ...(visibility ? { repositoryVisibility: visibility } : {}) };
}

function decodeJwtClaims(token: string, origin: TokenOrigin): Record<string, unknown> {
  const parts = token.split('.');
  try {
    if (parts.length !== 3) throw new Error('not three parts');
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    if (claims === null || typeof claims !== 'object') throw new Error('claims are not an object');
    return claims as Record<string, unknown>;
  } catch (err) {
    throw new SigningError('IDENTITY_TOKEN_MALFORMED', `The identity token from ${origin} is not a JWT (header.claims.signature). Check the value you passed.`, { cause: err });
  }
}
