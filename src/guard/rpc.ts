import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ListName } from '../manifest/schema.js';
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

/** The list request methods, the list each one reads and the result field it fills. */
export const LIST_METHODS: Readonly<Record<string, { list: ListName; field: string }>> = Object.freeze({
  'tools/list': { list: 'tools', field: 'tools' },
  'prompts/list': { list: 'prompts', field: 'prompts' },
  'resources/list': { list: 'resources', field: 'resources' },
  'resources/templates/list': { list: 'resourceTemplates', field: 'resourceTemplates' },
});

/** Which lists a `list_changed` notification invalidates. */
export const LIST_CHANGED: Readonly<Record<string, ListName[]>> = Object.freeze({
  'notifications/tools/list_changed': ['tools'],
  'notifications/prompts/list_changed': ['prompts'],
  'notifications/resources/list_changed': ['resources', 'resourceTemplates'],
});

/** The server capability that announces each list. */
export const LIST_CAPABILITY: Readonly<Record<ListName, string>> = Object.freeze({
  tools: 'tools', prompts: 'prompts', resources: 'resources', resourceTemplates: 'resources',
});

/** The request method that reads each list. */
export const LIST_REQUEST: Readonly<Record<ListName, string>> = Object.freeze({
  tools: 'tools/list', prompts: 'prompts/list', resources: 'resources/list', resourceTemplates: 'resources/templates/list',
});

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

/** The entry a call names, as `list/key` for the audit log (`tools/call`, `prompts/get`, or a resource URI). */
export function calledEntry(msg: RpcMessage): string {
  const p = msg.params ?? {};
  if (msg.method === 'tools/call') return `tools/${String(p.name)}`;
  if (msg.method === 'prompts/get') return `prompts/${String(p.name)}`;
  return `resources/${String(p.uri ?? (p.ref as { uri?: unknown } | undefined)?.uri ?? '')}`;
}
