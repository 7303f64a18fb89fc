import { InputError } from '../errors.js';

/**
 * The two MCP protocol eras. `legacy` is every revision up to 2025-11-25: an `initialize`
 * handshake opens a session. `modern` starts at 2026-07-28: no handshake, `server/discover`,
 * and a `_meta` envelope on every request. One module holds what both toolseal's capture
 * and its guard/proxy need to speak the modern era, so they read the wire the same way.
 */
export type ProtocolEra = 'modern' | 'legacy';

/** What a user may ask for: one era, or `auto` (probe with `server/discover`, fall back to `initialize`). */
export type ProtocolEraChoice = 'auto' | ProtocolEra;

/** The accepted values of `--protocol-era` and of the `protocolEra` option, default first. */
export const PROTOCOL_ERA_CHOICES: readonly ProtocolEraChoice[] = Object.freeze(['auto', 'modern', 'legacy']);

/** The modern revision toolseal speaks (it prefers the newest it knows). */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** Every modern revision toolseal speaks, newest first. */
export const MODERN_PROTOCOL_VERSIONS: readonly string[] = Object.freeze([MODERN_PROTOCOL_VERSION]);

/** The `_meta` keys of the modern request envelope and of result server info. */
export const META_KEYS = Object.freeze({
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
});

/** Error codes the 2026-07-28 revision defines (`-32020..-32099` is reserved for MCP). */
export const MODERN_ERROR_CODES = Object.freeze({
  headerMismatch: -32020,
  missingRequiredClientCapability: -32021,
  unsupportedProtocolVersion: -32022,
});

/**
 * Fields of a modern result that describe the response, not the entries: the result kind
 * and the cache hints. They are never entry content, so never signed or compared.
 */
export const RESULT_ENVELOPE_FIELDS: readonly string[] = Object.freeze(['resultType', 'ttlMs', 'cacheScope']);

/**
 * Reads `--protocol-era` / `protocolEra`.
 *
 * @throws InputError `PROTOCOL_ERA_INVALID`
 */
export function parseProtocolEra(value: string | undefined): ProtocolEraChoice {
  if (value === undefined) return 'auto';
  if ((PROTOCOL_ERA_CHOICES as readonly string[]).includes(value)) return value as ProtocolEraChoice;
  throw new InputError('PROTOCOL_ERA_INVALID', `"${value.slice(0, 40)}" is not a protocol era; use auto, modern or legacy.`);
}

/** The era a protocol version string belongs to (dates compare as strings). */
export function eraOfVersion(version: string): ProtocolEra {
  return version >= MODERN_PROTOCOL_VERSION ? 'modern' : 'legacy';
}

/** The three facts a modern client states on every request. */
export interface RequestEnvelope {
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  clientInfo: { name: string; version: string; [key: string]: unknown };
}

/** The `_meta` object of one modern request (fresh objects: a caller may mutate it). */
export function requestMeta(envelope: RequestEnvelope): Record<string, unknown> {
  return {
    [META_KEYS.protocolVersion]: envelope.protocolVersion,
    [META_KEYS.clientCapabilities]: structuredClone(envelope.clientCapabilities),
    [META_KEYS.clientInfo]: structuredClone(envelope.clientInfo),
  };
}

/**
 * Request params carrying the envelope in `_meta`. Other `_meta` keys the caller set are
 * kept; the envelope's own keys are the envelope's (a caller cannot smuggle another version).
 */
export function withRequestMeta(params: Record<string, unknown> | undefined, envelope: RequestEnvelope): Record<string, unknown> {
  const meta = isRecord(params?._meta) ? params._meta : {};
  return { ...params, _meta: { ...meta, ...requestMeta(envelope) } };
}

/** The envelope a request carries, or `undefined` when it carries no protocol version (a legacy request). */
export function readRequestMeta(params: unknown): Partial<RequestEnvelope> & { protocolVersion: string } | undefined {
  const meta = isRecord(params) && isRecord(params._meta) ? params._meta : undefined;
  const version = meta?.[META_KEYS.protocolVersion];
  if (typeof version !== 'string') return undefined;
  const caps = meta?.[META_KEYS.clientCapabilities];
  const info = meta?.[META_KEYS.clientInfo];
  return {
    protocolVersion: version,
    ...(isRecord(caps) ? { clientCapabilities: caps } : {}),
    ...(isRecord(info) && typeof info.name === 'string' && typeof info.version === 'string' ? { clientInfo: info as RequestEnvelope['clientInfo'] } : {}),
  };
}

/** A server's identity as `server/discover` (or `initialize`) states it. */
export interface ServerIdentity {
  name: string;
  version: string;
  title?: string;
}

/** What a `server/discover` result says, read strictly. */
export interface DiscoverInfo {
  supportedVersions: string[];
  capabilities: Record<string, unknown>;
  /** From `_meta["io.modelcontextprotocol/serverInfo"]`; the spec says SHOULD, so it may be absent. */
  serverInfo?: ServerIdentity;
  instructions?: string;
}

/** A parse that either yields a value or says, in a sentence fragment, what was wrong. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Reads a `server/discover` result; anything not of the schema's shape is refused, never guessed. */
export function parseDiscoverResult(raw: unknown): Parsed<DiscoverInfo> {
  if (!isRecord(raw)) return { ok: false, reason: 'the result is not an object' };
  const { supportedVersions, capabilities, instructions } = raw;
  if (!Array.isArray(supportedVersions) || supportedVersions.length === 0 || supportedVersions.some((v) => typeof v !== 'string')) {
    return { ok: false, reason: 'supportedVersions is not a non-empty array of strings' };
  }
  if (!isRecord(capabilities)) return { ok: false, reason: 'capabilities is not an object' };
  if (instructions !== undefined && typeof instructions !== 'string') return { ok: false, reason: 'instructions is not a string' };
  const info = resultServerInfo(raw);
  if (!info.ok) return info;
  return {
    ok: true,
    value: {
      supportedVersions: supportedVersions as string[], capabilities,
      ...(info.value !== undefined ? { serverInfo: info.value } : {}),
      ...(instructions !== undefined ? { instructions } : {}),
    },
  };
}

/** Reads `_meta["io.modelcontextprotocol/serverInfo"]` of a modern result; absent is `undefined`, malformed is refused. */
export function resultServerInfo(result: Record<string, unknown>): Parsed<ServerIdentity | undefined> {
  const meta = result._meta;
  if (meta === undefined) return { ok: true, value: undefined };
  if (!isRecord(meta)) return { ok: false, reason: '_meta is not an object' };
  const info = meta[META_KEYS.serverInfo];
  if (info === undefined) return { ok: true, value: undefined };
  if (!isRecord(info) || typeof info.name !== 'string' || info.name === '' || typeof info.version !== 'string') {
    return { ok: false, reason: `_meta["${META_KEYS.serverInfo}"] has no string name and version` };
  }
  if (info.title !== undefined && typeof info.title !== 'string') return { ok: false, reason: 'the server info title is not a string' };
  return { ok: true, value: { name: info.name, version: info.version, ...(info.title !== undefined ? { title: info.title } : {}) } };
}

/** The modern revision both sides speak, newest first, or `undefined`. */
export function commonModernVersion(offered: readonly string[], spoken: readonly string[] = MODERN_PROTOCOL_VERSIONS): string | undefined {
  return spoken.find((v) => offered.includes(v));
}

/**
 * What an error answer to a `server/discover` probe says about the server's era (stdio
 * backward compatibility, and HTTP's 400 rule). Only a recognized modern error is modern
 * evidence, as the revision's versioning page says ("fall back on any error that is not a
 * recognized modern error"): one of the codes it defines, `-32020..-32022`, `-32022` with
 * its `supported` list. Anything else means a legacy server, including other codes of the
 * range MCP reserves (`-32023..-32099` name nothing yet) or toolseal's guard's own
 * `-31051..-31053`, and, commonly, `-32601`/`-32602`; the spec forbids keying the fallback
 * to one code. This is the one rule: capture's probe and both guards use it.
 */
export function classifyProbeError(error: { code?: unknown; data?: unknown }): { era: 'modern'; supported?: string[] } | { era: 'legacy' } {
  const code = error.code;
  if (code === MODERN_ERROR_CODES.unsupportedProtocolVersion) {
    const supported = isRecord(error.data) ? error.data.supported : undefined;
    if (Array.isArray(supported) && supported.every((v) => typeof v === 'string')) return { era: 'modern', supported: supported as string[] };
    return { era: 'modern' };
  }
  if (code === MODERN_ERROR_CODES.headerMismatch || code === MODERN_ERROR_CODES.missingRequiredClientCapability) return { era: 'modern' };
  return { era: 'legacy' };
}

/**
 * True when an answer to `server/discover` shows a modern server: a result that lists
 * `supportedVersions`, or an error {@link classifyProbeError} takes for modern evidence.
 */
export function isModernDiscoverAnswer(answer: { result?: Record<string, unknown> | undefined; error?: { code?: unknown; data?: unknown } | undefined }): boolean {
  if (answer.result) return Array.isArray(answer.result.supportedVersions);
  return answer.error !== undefined && classifyProbeError(answer.error).era === 'modern';
}

/** A result without the modern envelope fields (`resultType`, cache hints); its `_meta` is left to the caller. */
export function stripResultEnvelope(result: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(result)) if (!RESULT_ENVELOPE_FIELDS.includes(key)) out[key] = value;
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
