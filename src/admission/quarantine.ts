import { createInterface } from 'node:readline';
import { GUARD_RPC_CODES } from '../guard/errors.js';
import type { ToolsealError } from '../errors.js';

/** Options of {@link serveQuarantine}. */
export interface QuarantineOptions {
  /** The server's name in the configuration. */
  server: string;
  /** Why it is not admitted; its message goes to the client. */
  reason: ToolsealError;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}

/**
 * Stands in for a server that is not admitted, without starting it: every request the client
 * sends (`initialize`, `server/discover`, anything) is answered with a JSON-RPC error
 * (`-31052`, data code `SERVER_QUARANTINED`) whose message says why and how to approve it, so the
 * client shows the user a reason rather than a dead process. Resolves when the client closes stdin.
 */
export async function serveQuarantine(options: QuarantineOptions): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const message = `toolseal quarantined the MCP server "${options.server}": ${options.reason.message}`;
  const lines = createInterface({ input: stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const id = requestId(line);
    if (id === undefined) continue;
    const data = { code: 'SERVER_QUARANTINED', reason: options.reason.code, server: options.server };
    stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code: GUARD_RPC_CODES.sessionRefused, message, data } })}\n`);
  }
}

function requestId(line: string): string | number | undefined {
  try {
    const msg = JSON.parse(line) as { id?: unknown; method?: unknown };
    return typeof msg.method === 'string' && (typeof msg.id === 'string' || typeof msg.id === 'number') ? msg.id : undefined;
  } catch {
    return undefined;
  }
}
