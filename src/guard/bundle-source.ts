import { fetchWithRetry } from '../io/http.js';
import { InputError, VerificationError } from '../errors.js';
import { readJsonFile } from '../io/files.js';
import { parseStrictJson } from '../io/strict-json.js';

/**
 * The `_meta` key of an `initialize` result under which a server may offer its own
 * Sigstore bundle (the bundle JSON object itself). Safe to take from the server because
 * the verifier's identity policy, not the server, decides who may have signed it.
 */
export const BUNDLE_META_KEY = 'dev.toolseal/bundle';

/** Limits of fetching a bundle from a URL. */
export interface BundleFetchOptions {
  /** Per-attempt timeout in ms. Default 15,000. */
  timeoutMs?: number;
  /** Largest bundle accepted, in bytes. Default 4 MiB. */
  maxBytes?: number;
}

/**
 * Reads a bundle from a file path or an `https://` (or `http://`) URL, as strict JSON.
 * A URL is fetched with a timeout and a size limit and retried once on network errors.
 *
 * @throws InputError `BUNDLE_FETCH_FAILED`, or the strict-JSON/file codes
 */
export async function readBundleSource(source: string, options: BundleFetchOptions = {}): Promise<unknown> {
  if (!/^https?:\/\//i.test(source)) return readJsonFile(source);
  const outcome = await fetchWithRetry(source, { attempts: 2, timeoutMs: options.timeoutMs ?? 15_000, maxBytes: options.maxBytes ?? 4 * 1024 * 1024 });
  const shown = safeUrl(source);
  if (!outcome.ok) {
    throw new InputError('BUNDLE_FETCH_FAILED', `The bundle at ${shown} could not be fetched: ${outcome.message}. Check the URL, or download the bundle and pass the file.`);
  }
  return parseStrictJson(outcome.bytes.toString('utf8'), `the bundle at ${shown}`);
}

/**
 * The bundle a server offers in its `initialize` result under {@link BUNDLE_META_KEY}.
 *
 * @throws VerificationError `BUNDLE_NOT_OFFERED` when there is none (a verdict: the server cannot be verified)
 */
export function bundleFromInitialize(result: Record<string, unknown>): unknown {
  const meta = result._meta;
  const bundle = meta !== null && typeof meta === 'object' ? (meta as Record<string, unknown>)[BUNDLE_META_KEY] : undefined;
  if (bundle === null || typeof bundle !== 'object') {
    throw new VerificationError('BUNDLE_NOT_OFFERED', `The server offers no bundle in its initialize result (_meta["${BUNDLE_META_KEY}"]); give the bundle with --bundle instead.`);
  }
  return bundle;
}

function safeUrl(source: string): string {
  try {
    const url = new URL(source);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return 'the given URL';
  }
}
