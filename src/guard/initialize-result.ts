import type { ExposureState, SessionFacts } from './exposure.js';
import type { RpcMessage } from './rpc.js';

/**
 * The initialize result as the client may see it: only what the manifest signs and the
 * guard verified. `serverInfo` is the *signed* name, version and title (under `warn`, the
 * live ones, which the decision compared): a live title that differs never reaches the
 * client, the decision notes the difference. Its other fields (description, icons,
 * websiteUrl) and the result's `_meta` are not signed, so a rug pull there would reach the
 * client unchecked: they are dropped. `instructions` stay only when verified.
 */
export function signedInitializeResult(result: Record<string, unknown>, exposure: ExposureState | undefined): Record<string, unknown> {
  const live = (result.serverInfo ?? {}) as Record<string, unknown>;
  const info = exposure && exposure.settings.enforce !== 'warn' ? exposure.attestation.manifest.server as Record<string, unknown> : live;
  const serverInfo = Object.fromEntries(['name', 'version', 'title'].filter((k) => info[k] !== undefined).map((k) => [k, info[k]]));
  const exposeInstructions = exposure?.decision?.verdict.instructions.exposed ?? false;
  return {
    protocolVersion: result.protocolVersion,
    capabilities: result.capabilities,
    serverInfo,
    ...(exposeInstructions && result.instructions !== undefined ? { instructions: result.instructions } : {}),
  };
}

/** What a guard session keeps of the server's `initialize` result: its capabilities and the facts a decision needs. */
export function initializeFacts(result: Record<string, unknown>, clientCapabilities: Record<string, unknown>): { capabilities: Record<string, unknown>; facts: SessionFacts } {
  const protocolVersion = String(result.protocolVersion ?? '');
  return {
    capabilities: asRecord(result.capabilities),
    facts: { serverInfo: result.serverInfo, instructions: result.instructions, protocolVersion, clientCapabilities },
  };
}

/** An object member as a record, or an empty one when the peer sent something else. */
export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * A modern-only server answers `initialize` with the versions it does support: say so in
 * words a 2025-era client's user can act on (the code and data stay the server's).
 */
export function noLegacyEra(error: NonNullable<RpcMessage['error']>, server: string): NonNullable<RpcMessage['error']> {
  const supported = (error.data as { supported?: unknown } | undefined)?.supported;
  if (!Array.isArray(supported)) return error;
  const versions = supported.filter((v): v is string => typeof v === 'string').slice(0, 8).join(', ');
  return { ...error, message: `toolseal: the server ${server} does not speak this client's protocol version (it answered initialize: ${String(error.message).slice(0, 200)}); it supports ${versions}: connect with a client that speaks one of them.` };
}
