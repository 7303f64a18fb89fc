import { META_KEYS, MODERN_ERROR_CODES, MODERN_PROTOCOL_VERSION } from './era.js';

/**
 * What a proxy needs of the MCP 2026-07-28 ("modern") wire beside `era.ts`: the methods
 * the revision removed, which requests mirror a name into `Mcp-Name`, how header values
 * are encoded, and how to tell a modern client message from a 2025-era one.
 */

/** The `_meta` keys of the modern era: the request envelope and result server info (see `META_KEYS`), and the stream keys. */
export const META = Object.freeze({
  ...META_KEYS,
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
  logLevel: 'io.modelcontextprotocol/logLevel',
});

/** The error codes a modern answer uses: the revision's own (see `MODERN_ERROR_CODES`) and the JSON-RPC ones it assigns a meaning. */
export const MODERN_RPC_CODES = Object.freeze({
  ...MODERN_ERROR_CODES,
  /** JSON-RPC: the method does not exist (also: removed in this revision). */
  methodNotFound: -32601,
  /** JSON-RPC: invalid params (also: a request without the required `_meta`). */
  invalidParams: -32602,
});

/** Methods of the 2025 era that the modern era removed: a modern request for one is `-32601`. */
export const REMOVED_METHODS: ReadonlySet<string> = new Set([
  'initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe',
]);

/** Client notifications the modern era removed (dropped, never forwarded). */
export const REMOVED_NOTIFICATIONS: ReadonlySet<string> = new Set([
  'notifications/initialized', 'notifications/roots/list_changed',
]);

/** The requests whose HTTP POST must carry `Mcp-Name`, and the body field it mirrors. */
export const NAMED_METHODS: Readonly<Record<string, 'name' | 'uri'>> = Object.freeze({
  'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri',
});

/** A protocol version string names the modern era when it is 2026-07-28 or later (dates compare as text). */
export function isModernVersion(version: unknown): version is string {
  return typeof version === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= MODERN_PROTOCOL_VERSION;
}

/** The `_meta` of a request's params, when it is an object. */
export function metaOf(params: unknown): Record<string, unknown> | undefined {
  const meta = (params as { _meta?: unknown } | undefined)?._meta;
  return meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? (meta as Record<string, unknown>) : undefined;
}

/**
 * True when a client message opens or continues the modern era: `server/discover` (the
 * era probe), or any request whose `_meta` names a modern protocol version.
 */
export function isModernMessage(message: { method?: unknown; params?: unknown }): boolean {
  if (message.method === 'server/discover') return true;
  return isModernVersion(metaOf(message.params)?.[META.protocolVersion]);
}

/**
 * Encodes a value for `Mcp-Name`/`Mcp-Param-*`: plain when it is visible ASCII without
 * leading or trailing blanks (and does not look like the sentinel), else the
 * `=?base64?...?=` sentinel of the UTF-8 bytes.
 */
export function encodeHeaderValue(value: string): string {
  const plain = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value) && !(value.startsWith('=?base64?') && value.endsWith('?='));
  return plain ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** Decodes a `Mcp-Name`/`Mcp-Param-*` value; undefined when the sentinel holds no valid base64 UTF-8. */
export function decodeHeaderValue(value: string): string | undefined {
  if (!(value.startsWith('=?base64?') && value.endsWith('?='))) return value;
  const body = value.slice('=?base64?'.length, -2);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(body, 'base64'));
  } catch {
    return undefined;
  }
}

/**
 * What is wrong with a modern request's `_meta`, in words, or undefined: the revision
 * requires an object with a protocol version string and a client capabilities object
 * (answered `-32602`, over HTTP with 400).
 */
export function metaProblem(params: unknown): string | undefined {
  const meta = metaOf(params);
  if (meta === undefined) return 'the request has no _meta';
  if (typeof meta[META.protocolVersion] !== 'string') return `the request's _meta has no "${META.protocolVersion}"`;
  const caps = meta[META.clientCapabilities];
  if (caps === null || typeof caps !== 'object' || Array.isArray(caps)) return `the request's _meta has no "${META.clientCapabilities}" object`;
  return undefined;
}
