import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { GuardErrorData } from './errors.js';

/** A JSON-RPC id as MCP allows it. */
export type RpcId = string | number;

/** A JSON-RPC message as the guard handles it: loosely typed, fields checked where used. */
export interface RpcMessage {
  jsonrpc: '2.0';
  id?: RpcId;
  method?: string;
  params?: Record<string, unknown> & { _meta?: Record<string, unknown> };
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

/** Classifies a message: a request has an id and a method, a notification only a method, a response only an id. */
export function kindOf(message: RpcMessage): 'request' | 'notification' | 'response' {
  if (message.method === undefined) return 'response';
  return message.id === undefined ? 'notification' : 'request';
}

/** A JSON-RPC error response. */
export function errorResponse(id: RpcId, code: number, message: string, data?: GuardErrorData | Record<string, unknown>): JSONRPCMessage {
  return { jsonrpc: '2.0', id, error: { code, message, ...(data ? { data } : {}) } } as JSONRPCMessage;
}

/** A JSON-RPC result response. */
export function resultResponse(id: RpcId, result: Record<string, unknown>): JSONRPCMessage {
  return { jsonrpc: '2.0', id, result } as JSONRPCMessage;
}

/** The entry a call names, as `list/key` for the audit log (`tools/call`, `prompts/get`, a resource URI, or what a `completion/complete` completes). */
export function calledEntry(msg: RpcMessage): string {
  const p = msg.params ?? {};
  if (msg.method === 'tools/call') return `tools/${String(p.name)}`;
  if (msg.method === 'prompts/get') return `prompts/${String(p.name)}`;
  if (msg.method === 'completion/complete') {
    const ref = (p.ref ?? {}) as { type?: unknown; name?: unknown; uri?: unknown };
    return ref.type === 'ref/prompt' ? `prompts/${String(ref.name)}` : `resourceTemplates/${String(ref.uri)}`;
  }
  return `resources/${String(p.uri ?? '')}`;
}
