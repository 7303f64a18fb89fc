import { untrusted } from '../io/terminal.js';
import { GUARD_RPC_CODES, guardErrorData, notVerifiedCode } from './errors.js';
import { errorResponse, type RpcId, type RpcMessage } from './rpc.js';
import type { Denial } from './view.js';

/** Why the guard refused a server, as one sentence (logged, and sent to the client). */
export function refusalMessage(server: string, enforce: string, reason: string): string {
  return `toolseal refused the server ${untrusted(server)} (enforce: ${enforce}): ${reason}`;
}

/** The answer to a request of a refused session (`SESSION_REFUSED`). */
export function refusedReply(id: RpcId, server: string, enforce: string, reason: string): RpcMessage {
  return errorResponse(id, GUARD_RPC_CODES.sessionRefused, refusalMessage(server, enforce, reason), guardErrorData({ code: 'SESSION_REFUSED', server, reason })) as RpcMessage;
}

/** The answer to a request that cannot complete because the server failed (`UPSTREAM_FAILED`). */
export function upstreamFailedReply(id: RpcId, server: string, message: string, reason: string): RpcMessage {
  return errorResponse(id, GUARD_RPC_CODES.upstreamFailed, `toolseal: ${message}`, guardErrorData({ code: 'UPSTREAM_FAILED', server, reason })) as RpcMessage;
}

/** The answer to a list request with a cursor: the guard serves every list in one page (`-32602`). */
export function noNextPageReply(id: RpcId): RpcMessage {
  return errorResponse(id, -32602, 'toolseal serves every list in one page; there is no next page.') as RpcMessage;
}

/** The answer to a call of an entry the guard does not expose (`TOOL_NOT_VERIFIED`, ...). */
export function notVerifiedReply(id: RpcId, server: string, denial: Denial): RpcMessage {
  const noun = denial.list === 'tools' ? 'tool' : denial.list === 'prompts' ? 'prompt' : 'resource';
  const message = `toolseal: the ${noun} "${untrusted(denial.key)}" of server ${untrusted(server)} is not verified (${denial.reason}); the request was not forwarded.`;
  return errorResponse(id, GUARD_RPC_CODES.notVerified, message, guardErrorData({ code: notVerifiedCode(denial.list), server, list: denial.list, key: denial.key, reason: denial.reason })) as RpcMessage;
}
