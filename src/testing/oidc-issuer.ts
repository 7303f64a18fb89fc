import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { keyIdOf, signJwt, verifyJwt, type JwtClaims } from './jwt.js';

/** The issuer URL of GitHub Actions' OIDC tokens; Fulcio maps its claims to certificate extensions. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** How long minted tokens live, like GitHub's (a few minutes). */
const TOKEN_LIFETIME_SECONDS = 10 * 60;
/** Clock skew tolerated when checking `nbf`/`iat`/`exp`. */
const SKEW_SECONDS = 60;

/**
 * Claims of a GitHub Actions OIDC token. All optional: unset ones take the defaults of
 * {@link defaultGitHubClaims}; a claim set to `undefined` is removed from the token.
 */
export interface GitHubActionsClaims {
  sub?: string;
  repository?: string;
  repository_id?: string;
  repository_owner?: string;
  repository_owner_id?: string;
  repository_visibility?: string;
  ref?: string;
  ref_type?: string;
  sha?: string;
  workflow?: string;
  workflow_ref?: string;
  workflow_sha?: string;
  job_workflow_ref?: string;
  job_workflow_sha?: string;
  runner_environment?: string;
  event_name?: string;
  environment?: string;
  run_id?: string;
  run_attempt?: string;
  actor?: string;
  actor_id?: string;
  [claim: string]: unknown;
}

/** Claims for a token that is not GitHub's: an email identity or a plain subject. */
export interface IdentityClaims extends GitHubActionsClaims {
  email?: string;
  email_verified?: boolean;
}

/**
 * Realistic GitHub Actions claims for `acme/weather-mcp`'s release workflow on `main`,
 * so that tests can pin repository, owner, ref and workflow like a real policy would.
 */
export function defaultGitHubClaims(): GitHubActionsClaims {
  const repository = 'acme/weather-mcp';
  const ref = 'refs/heads/main';
  const sha = 'a3f1c0de5eed0ddba11c0ffee0123456789abcde';
  const workflowRef = `${repository}/.github/workflows/release.yml@${ref}`;
  return {
    sub: `repo:${repository}:ref:${ref}`,
    repository,
    repository_id: '812345678',
    repository_owner: 'acme',
    repository_owner_id: '1234567',
    repository_visibility: 'public',
    ref,
    ref_type: 'branch',
    sha,
    workflow: 'release',
    workflow_ref: workflowRef,
    workflow_sha: sha,
    job_workflow_ref: workflowRef,
    job_workflow_sha: sha,
    runner_environment: 'github-hosted',
    event_name: 'push',
    run_id: '9876543210',
    run_attempt: '1',
    actor: 'octocat',
    actor_id: '583231',
  };
}

/** A local OIDC issuer: one ES256 key pair that mints tokens and verifies them for Fulcio. */
export class LocalOidcIssuer {
  readonly issuer: string;
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #kid: string;

  constructor(issuer: string = GITHUB_ACTIONS_ISSUER) {
    this.issuer = issuer;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
    this.#kid = keyIdOf(publicKey);
  }

  /** True when this issuer's tokens are GitHub Actions tokens (and get GitHub's claim mapping). */
  get isGitHubActions(): boolean {
    return this.issuer === GITHUB_ACTIONS_ISSUER;
  }

  /**
   * Mints a signed token, `aud: 'sigstore'` unless `claims.aud` says otherwise. GitHub issuers start from
   * {@link defaultGitHubClaims} unless `claims.email` is set; others start from `sub: 'local-user'`.
   */
  mint(claims: IdentityClaims = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const base: JwtClaims = this.isGitHubActions && claims.email === undefined
      ? { ...defaultGitHubClaims() }
      : { sub: 'local-user' };
    const merged: JwtClaims = {
      jti: randomUUID(),
      aud: 'sigstore',
      ...base,
      ...claims,
      iss: this.issuer,
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_SECONDS,
    };
    const defined = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined));
    return signJwt(defined, this.#privateKey, this.#kid);
  }

  /** Verifies signature, issuer, audience and lifetime, as Fulcio does; returns the claims. */
  verify(token: string, audience = 'sigstore'): JwtClaims {
    const claims = verifyJwt(token, this.#publicKey);
    if (claims['iss'] !== this.issuer) {
      throw new Error(`identity token issuer ${String(claims['iss'])} is not the trusted issuer ${this.issuer}`);
    }
    const aud = claims['aud'];
    if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience)))) {
      throw new Error(`identity token audience does not include "${audience}"`);
    }
    checkLifetime(claims);
    return claims;
  }
}

function checkLifetime(claims: JwtClaims): void {
  const now = Math.floor(Date.now() / 1000);
  const exp = claims['exp'];
  if (typeof exp !== 'number' || exp + SKEW_SECONDS < now) throw new Error('identity token has expired');
  const nbf = claims['nbf'] ?? claims['iat'];
  if (typeof nbf === 'number' && nbf - SKEW_SECONDS > now) throw new Error('identity token is not valid yet');
}
