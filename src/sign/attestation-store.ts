import type { SerializedBundle } from '@sigstore/bundle';
import { SigningError } from '../errors.js';

/** Where and as whom to store a bundle in GitHub's attestation store. */
export interface AttestationStoreOptions {
  /** The REST API root, `$GITHUB_API_URL` (https://api.github.com, or a GHES/GHE.com one). */
  apiURL: string;
  /** The web root, `$GITHUB_SERVER_URL`, for the attestation's page. */
  serverURL: string;
  /** `owner/name`, `$GITHUB_REPOSITORY`. */
  repository: string;
  /** A token with `attestations: write` (the job's `github.token`). Never part of a message. */
  token: string;
  timeoutMs?: number;
}

/** A stored attestation: GitHub's id for it and its page. */
export interface StoredAttestation {
  id: string;
  url: string;
}

/**
 * Stores a signed bundle through the repository attestations API (`POST
 * /repos/{owner}/{repo}/attestations` with `{"bundle": ...}`, answered `201 {"id": N}`), as
 * actions/attest does, so that `gh attestation verify` finds it by the subject's digest.
 *
 * @throws SigningError `ATTESTATION_STORE_FAILED`
 */
export async function storeGitHubAttestation(bundle: SerializedBundle, options: AttestationStoreOptions): Promise<StoredAttestation> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(options.repository)) throw failed(`"${options.repository}" is not a repository of the form owner/name.`);
  const endpoint = `${options.apiURL.replace(/\/+$/, '')}/repos/${options.repository}/attestations`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        Accept: 'application/vnd.github+json', Authorization: `Bearer ${options.token}`,
        'Content-Type': 'application/json', 'X-GitHub-Api-Version': '2022-11-28',
      },
      body: JSON.stringify({ bundle }),
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (err) {
    throw failed(`Could not reach ${endpoint} (${(err as Error).message}).`, err);
  }
  if (response.status !== 201 && response.status !== 200) throw failed(statusMessage(response.status, endpoint));
  const body = (await response.json().catch(() => undefined)) as { id?: unknown } | undefined;
  const id = typeof body?.id === 'number' || typeof body?.id === 'string' ? String(body.id) : undefined;
  if (!id || !/^\d+$/.test(id)) throw failed(`${endpoint} answered HTTP ${response.status} without an attestation id.`);
  return { id, url: `${options.serverURL.replace(/\/+$/, '')}/${options.repository}/attestations/${id}` };
}

function statusMessage(status: number, endpoint: string): string {
  if (status === 401) return `${endpoint} refused the token (HTTP 401). Pass the job's github.token.`;
  if (status === 403) return `${endpoint} answered HTTP 403: the token may not write attestations. Add "permissions: attestations: write" to the job.`;
  if (status === 404) return `${endpoint} answered HTTP 404: the repository does not exist or the token cannot see it.`;
  if (status === 422) return `${endpoint} refused the bundle (HTTP 422, validation failed or rate-limited).`;
  return `${endpoint} answered HTTP ${status}.`;
}

function failed(message: string, cause?: unknown): SigningError {
  return new SigningError('ATTESTATION_STORE_FAILED', `Could not store the attestation in GitHub's attestation store: ${message}`, cause === undefined ? undefined : { cause });
}
