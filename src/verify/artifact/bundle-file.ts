import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { InputError } from '../../errors.js';
import { readJsonFile } from '../../io/files.js';
import { assertSigstoreBundle, verifyBundle, type ArtifactInput, type VerifiedBundle } from '../bundle.js';
import { identityPolicyOf, type Policy } from '../../policy/policy.js';
import { trustSourceForPolicy, type TufOptions } from '../trust/sources.js';

/** Options of {@link verifyBundleFile}. */
export interface VerifyBundleFileOptions extends TufOptions {
  /** Path of the `*.sigstore.json` bundle. */
  bundlePath: string;
  /** A file path, or `sha256:<64 hex>` (taken as a digest only when no such file exists). */
  artifact: string;
  policy: Policy;
  /** Use the public-good root embedded in @sigstore/tuf instead of a TUF refresh. */
  offline?: boolean;
}

/**
 * Verifies a bundle file against an artifact file or digest, with the trust material
 * and identity of a policy: what `toolseal verify-bundle` (the sigstore-conformance
 * client protocol) does.
 */
export async function verifyBundleFile(options: VerifyBundleFileOptions): Promise<VerifiedBundle> {
  const bundleJson = await readJsonFile(options.bundlePath);
  assertSigstoreBundle(bundleJson, options.bundlePath); // before any network
  const artifact = await readArtifact(options.artifact);
  const source = trustSourceForPolicy(options.policy, options);
  const trust = await source.load();
  return verifyBundle(bundleJson, { identity: identityPolicyOf(options.policy), trust, trustDescription: source.description, artifact });
}

/** The conformance protocol's FILE_OR_DIGEST rule: a digest must look like one and not be a file. */
export async function readArtifact(fileOrDigest: string): Promise<ArtifactInput> {
  const digest = /^sha256:([0-9a-fA-F]{64})$/.exec(fileOrDigest);
  if (digest && !existsSync(fileOrDigest)) return { sha256: digest[1]!.toLowerCase() };
  try {
    return new Uint8Array(await readFile(fileOrDigest));
  } catch (err) {
    throw new InputError('FILE_UNREADABLE', `The artifact ${fileOrDigest} cannot be read (${(err as Error).message}). Pass the signed file, or its digest as sha256:<64 hex digits>.`, { cause: err });
  }
}
