/**
 * The default bundle file name. Its own module so the CLI can show it in `sign --help`
 * without loading the signing code.
 */
export const DEFAULT_BUNDLE_FILE = 'mcp-manifest.sigstore.json';
