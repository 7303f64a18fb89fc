import type { SignerOptions } from '../src/sign/create-signer.js';

/** The flags that choose and configure a signer (`sign`, `approve`). */
export interface SignerFlags {
  key?: string;
  identityToken?: string;
  fulcioUrl?: string;
  rekorUrl?: string;
  tsaUrl?: string;
  signingConfig?: string;
  allowPublicLog?: boolean;
}

/** The signer flags as `createSigner` options. */
export function signerOptionsOf(flags: SignerFlags): SignerOptions {
  return {
    keyPath: flags.key, identityToken: flags.identityToken, fulcioURL: flags.fulcioUrl, rekorURL: flags.rekorUrl,
    tsaURL: flags.tsaUrl, signingConfigPath: flags.signingConfig, allowPublicLog: flags.allowPublicLog,
  };
}
