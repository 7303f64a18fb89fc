import { InputError } from '../errors.js';
import type { Artifact } from '../manifest/schema.js';
import { resolveIdentityToken } from './identity-token.js';
import { createKeySignerFromFile } from './key.js';
import { createKeylessSigner } from './keyless.js';
import { assertPublicLogAccepted } from './public-log.js';
import type { ManifestSigner } from './signer.js';

/**
 * Everything that chooses and configures a signer, as the CLI and the Action receive it. A
 * member that is absent, `undefined` or empty is not given (so a face passes its flags or
 * inputs as they are).
 */
export interface SignerOptions {
  /** A private key file: sign key-based instead of keyless. */
  keyPath?: string | undefined;
  /** Passphrase of an encrypted key; default `$TOOLSEAL_KEY_PASSPHRASE`. */
  keyPassphrase?: string | undefined;
  /** An explicit OIDC token; otherwise `SIGSTORE_ID_TOKEN` or GitHub Actions' ambient token. */
  identityToken?: string | undefined;
  fulcioURL?: string | undefined;
  rekorURL?: string | undefined;
  tsaURL?: string | undefined;
  signingConfigPath?: string | undefined;
  timeoutMs?: number | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Sign keyless on a public Sigstore instance even for a private repository (see `assertPublicLogAccepted`). */
  allowPublicLog?: boolean | undefined;
}

/**
 * Chooses the signer: key-based when a key is given (Fulcio options are then refused,
 * since they would silently do nothing), keyless otherwise.
 */
export async function createSigner(options: SignerOptions): Promise<ManifestSigner> {
  const env = options.env ?? process.env;
  if (options.keyPath) {
    const keyless = [options.identityToken && '--identity-token', options.fulcioURL && '--fulcio-url', options.signingConfigPath && '--signing-config'].filter(Boolean);
    if (keyless.length > 0) {
      throw new InputError('SIGNER_OPTIONS_CONFLICT', `--key signs without Fulcio, so ${keyless.join(', ')} would be ignored. Drop --key to sign keyless, or drop ${keyless.join(', ')}.`);
    }
    const passphrase = options.keyPassphrase ?? env.TOOLSEAL_KEY_PASSPHRASE;
    return createKeySignerFromFile(options.keyPath, {
      ...(passphrase ? { passphrase } : {}),
      ...(options.tsaURL ? { tsaURL: options.tsaURL } : {}),
      ...(options.rekorURL ? { rekorURL: options.rekorURL } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  }
  const identity = await resolveIdentityToken({ ...(options.identityToken ? { token: options.identityToken } : {}), env });
  await assertPublicLogAccepted(identity, options, options.allowPublicLog === true);
  return createKeylessSigner({
    identity,
    ...(options.fulcioURL ? { fulcioURL: options.fulcioURL } : {}),
    ...(options.rekorURL ? { rekorURL: options.rekorURL } : {}),
    ...(options.tsaURL ? { tsaURL: options.tsaURL } : {}),
    ...(options.signingConfigPath ? { signingConfigPath: options.signingConfigPath } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}

/**
 * Parses an artifact binding `URI` or `URI,sha256:<hex>`, e.g.
 * `pkg:npm/%40acme/weather@1.4.0,sha256:9f86…`. The comma form is used because a purl
 * already contains `@` and may contain `#`.
 */
export function parseArtifactSpec(spec: string): Artifact {
  const match = /^(.+),sha256:([0-9a-f]{64})$/.exec(spec);
  const uri = match ? match[1]! : spec;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(uri)) {
    throw new InputError('ARTIFACT_INVALID', `The artifact "${spec}" is not a URI; use a purl such as pkg:npm/%40acme/weather@1.4.0 or an OCI reference, optionally followed by ,sha256:<hex>.`);
  }
  return match ? { uri, digest: { sha256: match[2]! } } : { uri };
}
