import { writeFileAtomic } from '../io/files.js';
import type { Manifest } from '../manifest/schema.js';
import { createSigner, type SignerOptions } from './create-signer.js';
import { manifestToSign, type ManifestToSignOptions } from './manifest-to-sign.js';
import { signManifest, type SignResult } from './sign-manifest.js';

/** Options of {@link signToFiles}. */
export interface SignToFilesOptions {
  /** Chooses and configures the signer. */
  signer: SignerOptions;
  /** What to sign: a manifest file, or a server to capture. */
  source: ManifestToSignOptions;
  /** Where the bundle is written. */
  bundlePath: string;
  /** Where a captured manifest is written too; unused when a manifest file is signed. */
  manifestPath?: string | undefined;
}

/** What {@link signToFiles} signed and wrote. */
export interface SignedFiles {
  manifest: Manifest;
  result: SignResult;
}

/**
 * `toolseal sign` and the Action's sign mode: the signer first (a missing identity token
 * fails before a server is started), then the manifest (read, or captured), the signature,
 * the bundle, and a captured manifest last, so nothing is written unless the signature
 * was made. The caller checks its destinations before: a keyless signature is in the
 * transparency log for good, even when a write then fails.
 */
export async function signToFiles(options: SignToFilesOptions): Promise<SignedFiles> {
  const signer = await createSigner(options.signer);
  const manifest = await manifestToSign(options.source);
  const result = await signManifest(manifest, signer);
  await writeFileAtomic(options.bundlePath, `${JSON.stringify(result.bundle, null, 2)}\n`);
  if (options.manifestPath !== undefined && options.source.manifestPath === undefined) {
    await writeFileAtomic(options.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  return { manifest, result };
}

/** The lines a face prints for a signature: what was signed, its digest, who signed, and the log index. */
export function signedLines({ manifest, result }: SignedFiles, bundlePath: string): string[] {
  return [
    `Signed ${manifest.server.name} ${manifest.server.version} (${manifest.tools.length} tools) -> ${bundlePath}`,
    `  manifest   ${result.digest}`,
    `  signed by  ${result.signerText}`,
    ...(result.logIndex !== undefined ? [`  logged     index ${result.logIndex}`] : []),
  ];
}
