import type { CodeOf } from '../error-codes.js';
import { VerificationError } from '../errors.js';
import type { ListName } from '../manifest/lists.js';

/**
 * JSON-RPC error codes the guard answers with, in the space JSON-RPC leaves to applications
 * (outside -32768..-32000). Not in -32000..-32099: MCP 2026-07-28 reserves -32020..-32099 for
 * codes its specification defines ("implementations MUST NOT emit any code from this
 * sub-range that is not defined by this specification") and says new implementations should
 * not use the legacy -32000..-32019. `data.code` carries toolseal's stable string code as well.
 */
export const GUARD_RPC_CODES = Object.freeze({
  /** A call, get or read named an entry that is not exposed (not verified, or hidden). */
  notVerified: -31051,
  /** `enforce: block` refused the server: the session ends. */
  sessionRefused: -31052,
  /** The upstream server went away or could not be captured; the request cannot complete. */
  upstreamFailed: -31053,
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
    super(data.code as CodeOf<'VerificationError'>, message);
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

/**
 * The `data` objects of errors the guard itself answered with. A server can send any JSON it
 * likes, including `{ code: 'SESSION_REFUSED', ... }`; only an object the guard created (passed
 * by reference to an in-process client) is in this set, so only the guard's own errors become
 * typed guard errors.
 */
const guardMade = new WeakSet<object>();

/** The numeric codes the guard reserves for itself on a guarded connection. */
const RESERVED_CODES: ReadonlySet<number> = new Set(Object.values(GUARD_RPC_CODES));

/** Marks `data` as made by the guard (see {@link toGuardError}); returns it. */
export function guardErrorData<T extends GuardErrorData>(data: T): T {
  guardMade.add(data);
  return data;
}

/**
 * An error the server sent, as the client may see it: one that uses a code the guard reserves
 * (-31051..-31053) would pass for the guard's own refusal, so it is forwarded as -32603 with
 * the message marked as the server's. Other errors are unchanged.
 */
export function disownServerError<E extends { code: number; message: string; data?: unknown }>(error: E): E {
  if (!RESERVED_CODES.has(error.code)) return error;
  return { ...error, code: -32603, message: `the server answered with toolseal's reserved code ${error.code}: ${String(error.message)}` };
}

/** The code string of an entry of `list` that is not verified. */
export function notVerifiedCode(list: ListName): 'TOOL_NOT_VERIFIED' | 'PROMPT_NOT_VERIFIED' | 'RESOURCE_NOT_VERIFIED' {
  if (list === 'tools') return 'TOOL_NOT_VERIFIED';
  if (list === 'prompts') return 'PROMPT_NOT_VERIFIED';
  return 'RESOURCE_NOT_VERIFIED';
}

/**
 * Turns a JSON-RPC error the guard itself produced (as the MCP SDK surfaces it: an object with
 * numeric `code`, `message` and `data`) into the typed error; anything else is returned
 * unchanged, including an error the *server* sent with the same shape (it cannot forge a guard
 * error: the guard marks the data objects it creates). The SDK prefixes messages with "MCP error <code>: "; that prefix is dropped.
 */
export function toGuardError(err: unknown): unknown {
  if (err === null || typeof err !== 'object') return err;
  const { code, message, data } = err as { code?: unknown; message?: unknown; data?: unknown };
  if (!isGuardData(data) || !guardMade.has(data)) return err;
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
