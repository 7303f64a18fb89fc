import { classifyProbeError, MODERN_PROTOCOL_VERSION } from '../../protocol/era.js';
import { META, MODERN_RPC_CODES, REMOVED_METHODS, isModernVersion, metaOf, metaProblem } from '../../protocol/wire.js';
import { disownServerError, guardErrorData, type GuardErrorData } from '../errors.js';
import type { UpstreamRpcError } from '../requests.js';
import type { RpcId, RpcMessage } from '../rpc.js';

/** An error the guard answers with; its guard data is marked as the guard's own (see `toGuardError`). */
export function errorOf(id: RpcId, code: number, message: string, data?: Record<string, unknown>): RpcMessage {
  const marked = data && typeof data.code === 'string' && typeof data.server === 'string' ? guardErrorData(data as unknown as GuardErrorData) : data;
  return { jsonrpc: '2.0', id, error: { code, message, ...(marked ? { data: marked } : {}) } };
}

/**
 * The answer to a request that breaks the `_meta` rules of the revision (a removed method,
 * `_meta` missing or malformed, a protocol version that is not modern), or undefined when
 * it keeps them. Answered before anything goes upstream; `supportedVersions` is called only
 * for an unsupported version.
 */
export function precheckRequest(msg: RpcMessage & { id: RpcId }, supportedVersions: () => string[]): RpcMessage | undefined {
  const method = msg.method ?? '';
  if (REMOVED_METHODS.has(method)) {
    return errorOf(msg.id, MODERN_RPC_CODES.methodNotFound, `Method not found: ${method} is not part of MCP ${MODERN_PROTOCOL_VERSION}.`);
  }
  const problem = metaProblem(msg.params);
  if (problem !== undefined) {
    return errorOf(msg.id, MODERN_RPC_CODES.invalidParams, `Invalid params: ${problem}; every ${MODERN_PROTOCOL_VERSION} request names its protocol version and client capabilities.`);
  }
  const version = metaOf(msg.params)?.[META.protocolVersion];
  if (version !== undefined && !isModernVersion(version)) {
    return errorOf(msg.id, MODERN_RPC_CODES.unsupportedProtocolVersion, `Unsupported protocol version: ${String(version).slice(0, 40)}`, { supported: supportedVersions(), requested: version });
  }
  return undefined;
}

/**
 * The server's own error, under the client's id. A `server/discover` answered with an
 * error outside the modern range comes from a 2025-era server: the message says so (the
 * code stays, so a dual-era client still falls back to `initialize`).
 */
export function serverErrorAnswer(msg: RpcMessage & { id: RpcId }, err: UpstreamRpcError): RpcMessage {
  const data = err.data !== undefined ? { data: err.data } : {};
  const modern = classifyProbeError({ code: err.code, data: err.data }).era === 'modern';
  const message = msg.method === 'server/discover' && !modern
    ? `toolseal: the server does not speak MCP ${MODERN_PROTOCOL_VERSION} (it answered server/discover with ${err.code}: ${err.message.slice(0, 200)}); connect with a client that speaks the 2025 era (initialize).`
    : err.message;
  // A server error that uses the guard's own codes is marked as the server's (never a guard refusal).
  return { jsonrpc: '2.0', id: msg.id, error: disownServerError({ code: err.code, message, ...data }) };
}
