import { InputError } from '../errors.js';
import { readManifestFile } from '../manifest/build.js';
import { captureServer } from '../manifest/capture/server.js';
import type { CaptureOptions, ServerTarget } from '../manifest/capture/options.js';
import { resolveClientProfile } from '../manifest/profile.js';
import type { Manifest } from '../manifest/schema.js';
import { parseArtifactSpec } from './create-signer.js';

/** What to sign: a manifest file, or a live server to capture first. */
export interface ManifestToSignOptions {
  /** A manifest file (from `toolseal capture`). */
  manifestPath?: string;
  /** A server to capture. */
  target?: ServerTarget;
  /** When capturing: `full`, `bare` or a client-profile JSON file. Default `full`: clients that declare fewer capabilities are then shown a subset of what was signed, which the guard accepts. */
  clientProfile?: string;
  /** When capturing: paths to leave out of the manifest (recorded in it). */
  exclude?: string[];
  /** When capturing: artifact specs (`URI` or `URI,sha256:<hex>`) binding the manifest to a package. */
  artifacts?: string[];
  /** When capturing: request timeout and limits. */
  capture?: Omit<CaptureOptions, 'profile' | 'exclude' | 'artifacts'>;
}

/**
 * The manifest to sign: read from a file, or captured from a server with the given client
 * profile, exclude paths and artifact bindings. Exactly one source must be named; capture-only
 * options next to a manifest file are refused, since the file already records them and they
 * would silently do nothing.
 *
 * @throws InputError `SIGN_SOURCE_INVALID`, plus those of `readManifestFile` / `captureServer`
 */
export async function manifestToSign(options: ManifestToSignOptions): Promise<Manifest> {
  if (options.manifestPath !== undefined && options.target) {
    throw invalid('Give either a manifest file or a server to capture, not both.');
  }
  if (options.manifestPath !== undefined) {
    const unused = [
      (options.artifacts?.length ?? 0) > 0 && 'artifacts', (options.exclude?.length ?? 0) > 0 && 'exclude paths',
      options.clientProfile !== undefined && 'a client profile', (options.capture?.dynamic?.length ?? 0) > 0 && 'dynamic lists',
    ].filter(Boolean);
    if (unused.length > 0) {
      throw invalid(`${unused.join(', ')} apply when capturing a server; the manifest file ${options.manifestPath} already records its own. Drop them or capture instead.`);
    }
    return readManifestFile(options.manifestPath);
  }
  if (!options.target) throw invalid('Say what to sign: a manifest file, or a server to capture (a command or a URL).');
  const artifacts = (options.artifacts ?? []).map(parseArtifactSpec);
  return captureServer(options.target, {
    ...options.capture,
    profile: await resolveClientProfile(options.clientProfile ?? 'full'),
    exclude: options.exclude ?? [],
    ...(artifacts.length > 0 ? { artifacts } : {}),
  });
}

function invalid(message: string): InputError {
  return new InputError('SIGN_SOURCE_INVALID', message);
}
