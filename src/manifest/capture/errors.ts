import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CaptureError, ToolsealError } from '../../errors.js';
import type { CaptureContext } from './context.js';
import { listTooLarge } from './pages.js';

/**
 * Maps whatever a capture threw (SDK errors, spawn errors, fetch errors) to a
 * {@link CaptureError} whose message names the server and the request in flight.
 * toolseal's own errors (e.g. a `ManifestError` from building the manifest) pass through.
 */
export function toCaptureError(err: unknown, ctx: CaptureContext): ToolsealError {
  if (err instanceof ToolsealError) return err;
  const { server, step } = ctx;
  if (isSpawnError(err)) {
    return new CaptureError('SERVER_SPAWN_FAILED', `Could not start the MCP server ${server}: ${err.code === 'ENOENT' ? 'the command was not found' : err.message}. Check the command and PATH.`, { cause: err });
  }
  // The strict stdio transport closes the connection when it refuses a line; that refusal
  // (SERVER_JSON_INVALID, ...) is the real cause of the closed connection or the timeout.
  const refused = transportRefusal(err, ctx);
  if (refused) return refused;
  if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) {
    return new CaptureError('SERVER_TIMEOUT', `The MCP server ${server} did not answer ${step} within ${ctx.limits.requestTimeoutMs} ms. Check that it is an MCP server and that it starts, or raise the timeout.${tail(ctx)}`, { cause: err });
  }
  if (err instanceof McpError && err.code === ErrorCode.ConnectionClosed) {
    return new CaptureError('SERVER_CLOSED', `The MCP server ${server} closed the connection during ${step}; it may have crashed or is not an MCP server.${tail(ctx)}`, { cause: err });
  }
  if (err instanceof McpError) {
    return new CaptureError('SERVER_ERROR', `The MCP server ${server} answered ${step} with error ${err.code}: ${clip(err.message)}.`, { cause: err });
  }
  if (err instanceof StreamableHTTPError || isFetchError(err)) {
    return new CaptureError('SERVER_UNREACHABLE', `Could not reach the MCP server at ${server} during ${step}: ${clip(httpReason(err))}. Check the URL, that the server is running, and its authentication.`, { cause: err });
  }
  return new CaptureError('CAPTURE_FAILED', `Capturing the MCP server ${server} failed during ${step}: ${clip((err as Error)?.message ?? String(err))}.${tail(ctx)}`, { cause: err });
}

function transportRefusal(err: unknown, ctx: CaptureContext): ToolsealError | undefined {
  if (!(err instanceof McpError) || (err.code !== ErrorCode.ConnectionClosed && err.code !== ErrorCode.RequestTimeout)) return undefined;
  const cause = ctx.transportError?.();
  if (!(cause instanceof ToolsealError)) return undefined;
  return cause.code === 'SERVER_MESSAGE_TOO_LARGE' ? listTooLarge(ctx, ctx.step, cause) : cause;
}

function isSpawnError(err: unknown): err is NodeJS.ErrnoException {
  const e = err as NodeJS.ErrnoException;
  return e instanceof Error && typeof e.syscall === 'string' && e.syscall.startsWith('spawn');
}

function isFetchError(err: unknown): boolean {
  return err instanceof TypeError && /fetch failed/i.test(err.message);
}

function httpReason(err: unknown): string {
  const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
  if (isFetchError(err) && cause?.code) return `${cause.code} (${cause.message})`;
  return (err as Error).message;
}

function tail(ctx: CaptureContext): string {
  const text = ctx.stderrTail?.().trim();
  return text ? ` Its stderr ended with:\n${text}` : '';
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
