import { readJsonFile } from '../io/files.js';
import { SigningError } from '../errors.js';
import type { IdentityToken } from './identity-token.js';
import { PUBLIC_GOOD } from './keyless.js';

/** Where a keyless signature goes: the instance's URLs, or a signing config naming them. */
export interface KeylessDestination {
  fulcioURL?: string | undefined;
  rekorURL?: string | undefined;
  signingConfigPath?: string | undefined;
}

/** Hosts of Sigstore's public instances (production and staging): their logs are public and permanent. */
const PUBLIC_SUFFIXES = ['.sigstore.dev', '.sigstage.dev'];

/**
 * Refuses keyless signing on a public Sigstore instance for a private (or internal) GitHub
 * repository unless the caller accepts it: the certificate names the repository, the workflow
 * file and the ref, and public-good writes it to Fulcio's CT log and Rekor, public for good.
 * The visibility is the token's own `repository_visibility` claim, the one Fulcio copies into
 * the certificate; a token without it (not GitHub Actions) is not checked.
 *
 * @throws SigningError `PRIVATE_REPOSITORY_PUBLIC_LOG`
 */
export async function assertPublicLogAccepted(identity: IdentityToken, destination: KeylessDestination, accepted: boolean): Promise<void> {
  const visibility = identity.repositoryVisibility;
  if (accepted || visibility === undefined || visibility === 'public') return;
  const urls = destination.signingConfigPath
    ? configUrls(await readJsonFile(destination.signingConfigPath))
    : [destination.fulcioURL ?? PUBLIC_GOOD.fulcioURL, destination.rekorURL ?? PUBLIC_GOOD.rekorURL];
  const publicHosts = [...new Set(urls.map(hostOf).filter((h) => PUBLIC_SUFFIXES.some((s) => h.endsWith(s))))];
  if (publicHosts.length === 0) return;
  throw new SigningError('PRIVATE_REPOSITORY_PUBLIC_LOG', `The repository ${identity.repository ?? 'of this job'} is ${visibility}, and keyless signing on ${publicHosts.join(', ')} would publish its name, the workflow path and the ref in a public transparency log for good. Sign with a private Sigstore instance (--fulcio-url and --rekor-url, or --signing-config) or with --key; or pass --allow-public-log to accept publishing them.`);
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}

/** Every `url` string anywhere in a signing config (Fulcio, Rekor, TSA, OIDC services). */
function configUrls(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(configUrls);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k === 'url' && typeof v === 'string' ? [v] : configUrls(v)));
}
