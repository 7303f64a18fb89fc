import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The sigstore-conformance bundle-verify cases copied into test/vectors (see its README for source and license). */
export const VECTORS = join(import.meta.dirname, '..', 'vectors', 'sigstore-conformance', 'bundle-verify');
/** The identity sigstore-conformance's harness passes when a case has no `identity`/`issuer` file. */
export const IDENTITY = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
export const ISSUER = 'https://token.actions.githubusercontent.com';
/** Every case that has a bundle, sorted by name. */
export const cases = readdirSync(VECTORS).filter((d) => existsSync(join(VECTORS, d, 'bundle.sigstore.json'))).sort();
/** A file of one case. */
export const at = (name: string, file: string): string => join(VECTORS, name, file);
