import { InputError } from '../errors.js';

/** Which version of the registry API a list was read from. */
export type RegistryApi = 'v0.1' | 'v0' | 'custom';

/** One URL a server list may be read from. */
export interface RegistryEndpoint {
  api: RegistryApi;
  /** The list URL, without query. */
  url: URL;
}

/**
 * The list URLs to try for a `--registry` value, best first. A base URL tries `/v0.1/servers`
 * (the API the registry calls stable) and then `/v0/servers`; a URL ending in `/v0.1` or `/v0`
 * names its API and is used alone; a URL already ending in `/servers` is used as it is.
 *
 * @throws InputError `REGISTRY_URL_INVALID`
 */
export function registryEndpoints(base: string): RegistryEndpoint[] {
  let url: URL;
  try {
    url = new URL(base);
  } catch (err) {
    throw new InputError('REGISTRY_URL_INVALID', `--registry "${base}" is not a URL. Pass the registry's base URL, e.g. https://registry.modelcontextprotocol.io.`, { cause: err });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError('REGISTRY_URL_INVALID', `--registry "${base}" is not an http(s) URL.`);
  }
  url.hash = '';
  const path = url.pathname.replace(/\/+$/, '');
  const at = (pathname: string): URL => Object.assign(new URL(url.href), { pathname });
  if (path.endsWith('/servers')) return [{ api: /\/v0\.1\/servers$/.test(path) ? 'v0.1' : /\/v0\/servers$/.test(path) ? 'v0' : 'custom', url: at(path) }];
  if (path.endsWith('/v0.1')) return [{ api: 'v0.1', url: at(`${path}/servers`) }];
  if (path.endsWith('/v0')) return [{ api: 'v0', url: at(`${path}/servers`) }];
  return [{ api: 'v0.1', url: at(`${path}/v0.1/servers`) }, { api: 'v0', url: at(`${path}/v0/servers`) }];
}
