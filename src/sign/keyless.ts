import { bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { SigningConfig } from '@sigstore/protobuf-specs';
import {
  DEFAULT_FULCIO_URL, DEFAULT_REKOR_URL, DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness,
  bundleBuilderFromSigningConfig, type BundleBuilder, type IdentityProvider, type Witness,
} from '@sigstore/sign';
import { IN_TOTO_PAYLOAD_TYPE } from '../attest/statement.js';
import { readJsonFile } from '../io/files.js';
import type { IdentityToken } from './identity-token.js';
import type { ManifestSigner } from './signer.js';
import { toSigningError } from './sigstore-errors.js';

/** Sigstore public-good endpoints, used when no instance is named. */
export const PUBLIC_GOOD = { fulcioURL: DEFAULT_FULCIO_URL, rekorURL: DEFAULT_REKOR_URL } as const;

/** Options for {@link createKeylessSigner}. */
export interface KeylessSignerOptions {
  /** The OIDC identity token (see `resolveIdentityToken`). */
  identity: IdentityToken;
  fulcioURL?: string;
  rekorURL?: string;
  /** RFC 3161 timestamp authority; optional when Rekor is used. */
  tsaURL?: string;
  /** A Sigstore `signing_config.json` naming the instance; overrides the URLs. */
  signingConfigPath?: string;
  /** Per-request timeout for Fulcio, Rekor and the TSA. */
  timeoutMs?: number;
}

/**
 * Keyless signing: an ephemeral key, a Fulcio certificate for the OIDC identity, a
 * Rekor entry (DSSE) and optionally an RFC 3161 timestamp — sigstore-js's own pipeline.
 */
export async function createKeylessSigner(options: KeylessSignerOptions): Promise<ManifestSigner> {
  const identityProvider: IdentityProvider = { getToken: async () => options.identity.token };
  const fetchOptions = { timeout: options.timeoutMs ?? 30_000, retry: { retries: 2 } };
  let builder: BundleBuilder;
  let description: string;
  if (options.signingConfigPath) {
    const signingConfig = SigningConfig.fromJSON(await readJsonFile(options.signingConfigPath));
    builder = bundleBuilderFromSigningConfig({ signingConfig, identityProvider, bundleType: 'dsseEnvelope', fetchOptions });
    description = `keyless (signing config ${options.signingConfigPath})`;
  } else {
    const fulcioURL = options.fulcioURL ?? PUBLIC_GOOD.fulcioURL;
    const rekorURL = options.rekorURL ?? PUBLIC_GOOD.rekorURL;
    const witnesses: Witness[] = [new RekorWitness({ rekorBaseURL: rekorURL, entryType: 'dsse', fetchOnConflict: false, ...fetchOptions })];
    if (options.tsaURL) witnesses.push(new TSAWitness({ tsaBaseURL: options.tsaURL, ...fetchOptions }));
    builder = new DSSEBundleBuilder({ signer: new FulcioSigner({ fulcioBaseURL: fulcioURL, identityProvider, ...fetchOptions }), witnesses });
    description = `keyless (Fulcio ${fulcioURL}, Rekor ${rekorURL}${options.tsaURL ? `, TSA ${options.tsaURL}` : ''})`;
  }
  return {
    description,
    async signStatement(payload: Buffer): Promise<SerializedBundle> {
      try {
        return bundleToJSON(await builder.create({ data: payload, type: IN_TOTO_PAYLOAD_TYPE }));
      } catch (err) {
        throw toSigningError(err, options.identity.token);
      }
    },
  };
}
