import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { CaptureError } from '../../errors.js';
import type { ListSpec } from '../lists.js';
import type { DynamicList } from '../schema.js';

/**
 * Reads one list; for a list declared dynamic (the user's data: a database's tables, a
 * drive's files), an error answer or a timeout leaves it empty with a note instead of
 * failing the capture: server-postgres without its database and server-gdrive without
 * the network fail `resources/list` while their tools are all there. A closed connection
 * still fails (the server is gone), and so does every error on any other list.
 */
export async function readList(
  spec: ListSpec, dynamic: readonly DynamicList[] | undefined, read: () => Promise<Record<string, unknown>[]>,
  note: ((line: string) => void) | undefined, server: string,
): Promise<Record<string, unknown>[]> {
  if (!dynamic?.includes(spec.name as DynamicList)) return read();
  try {
    return await read();
  } catch (err) {
    if (!unavailable(err)) throw err;
    note?.(`the MCP server ${server} could not list ${spec.name} (${clip((err as Error).message)}); they are dynamic (not signed), so the capture goes on without them.`);
    return [];
  }
}

function unavailable(err: unknown): boolean {
  if (err instanceof McpError) return err.code !== ErrorCode.ConnectionClosed;
  return err instanceof CaptureError && (err.code === 'SERVER_ERROR' || err.code === 'SERVER_TIMEOUT');
}

/** The server's own error text, shortened and with control characters escaped (it reaches a terminal). */
function clip(text: string, max = 200): string {
  const short = text.length > max ? `${text.slice(0, max)}…` : text;
  return short.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
