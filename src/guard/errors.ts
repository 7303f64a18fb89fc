import { VerificationError } from '../errors.js';
import type { ListName } from '../manifest/lists.js';

/**
 * JSON-RPC error codes the guard answers with. They sit in the range JSON-RPC reserves
 * for server-defined errors (-32000..-32099) and clear of the codes MCP uses (-32000,
 * -32001, -32002, -32042). `data.code` carries toolseal's stable string code as well.
 */
export const GUARD_RPC_CODES = Object.freeze({
  /** A call, get or read named an entry that is not exposed (not verified, or hidden). */
  notVerified: -32051,
  /** `enforce: block` refused the server: the session ends. */
  sessionRefused: -32052,
  /** The upstream server went away or could not be captured; the request cannot complete. */
  upstreamFailed: -32053,
});

/** The `data` of a guard JSON-RPC error. */
export interface GuardErrorData {
  /** A stable toolseal code, e.g. `TOOL_NOT_VERIFIED`, `SESSION_REFUSED`. */
  code: string;
  /** The server the guard protects (its signed name). */
  server: string;
  list?: ListName;
  key?: string;
  reason: string;
}

/**
 * A request named a tool, prompt or resource the guard does not expose: it is not in the
 * signed manifest, differs from its signed entry, or carries hidden Unicode. Codes:
 * `TOOL_NOT_VERIFIED`, `PROMPT_NOT_VERIFIED`, `RESOURCE_NOT_VERIFIED`.
 */
export class EntryNotVerifiedError extends VerificationError {
  readonly list: ListName;
  readonly key: string;
  readonly server: string;

  constructor(data: GuardErrorData & { list: ListName; key: string }, message: string) {
    super(data.code, message);
    this.list = data.list;
    this.key = data.key;
    this.server = data.server;
  }
}

/** A `tools/call` for a tool the guard does not expose; code `TOOL_NOT_VERIFIED`. */
export class ToolNotVerifiedError extends EntryNotVerifiedError {}

/** `enforce: block` refused the server; code `SESSION_REFUSED`. The session is closed. */
export class SessionRefusedError extends VerificationError {
  readonly server: string;

  constructor(server: string, message: string) {
    super('SESSION_REFUSED', message);
    this.server = server;
  }
}

/** The code string of an entry of `list` that is not verified. */
export function notVerifiedCode(list: ListName): string {
  if (list === 'tools') return 'TOOL_NOT_VERIFIED';
  if (list === 'prompts') return 'PROMPT_NOT_VERIFIED';
  return 'RESOURCE_NOT_VERIFIED';
}

/**
 * Turns a JSON-RPC error the guard produced (as the MCP SDK surfaces it: an object with
 * numeric `code`, `message` and `data`) into the typed error; anything else is returned
 * unchanged. The SDK prefixes messages with "MCP error <code>: "; that prefix is dropped.
 */
export function toGuardError(err: unknown): unknown {
  if (err === null || typeof err !== 'object') return err;
  const { code, message, data } = err as { code?: unknown; message?: unknown; data?: unknown };
  if (!isGuardData(data)) return err;
  const text = String(message ?? '').replace(/^MCP error -?\d+: /, '');
  if (code === GUARD_RPC_CODES.notVerified && data.list !== undefined && data.key !== undefined) {
    const full = { ...data, list: data.list, key: data.key };
    return data.list === 'tools' ? new ToolNotVerifiedError(full, text) : new EntryNotVerifiedError(full, text);
  }
  if (code === GUARD_RPC_CODES.sessionRefused) return new SessionRefusedError(data.server, text);
  return err;
}

function isGuardData(data: unknown): data is GuardErrorData {
  if (data === null || typeof data !== 'object') return false;
  const d = data as Record<string, unknown>;
  return typeof d.code === 'string' && typeof d.server === 'string' && typeof d.reason === 'string';
}
