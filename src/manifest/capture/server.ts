import { CaptureError } from '../../errors.js';
import { BARE_PROFILE } from '../profile.js';
import type { Manifest } from '../schema.js';
import { openConnection } from './connect.js';
import type { CaptureContext } from './context.js';
import { toCaptureError } from './errors.js';
import { captureFromClient } from './from-client.js';
import { captureLimits, describeTarget, type CaptureOptions, type ServerTarget } from './options.js';

/**
 * Captures a live MCP server into a manifest: spawns it (stdio) or connects to it
 * (Streamable HTTP), initializes with the profile's capabilities, reads every page of
 * every list the server declared (see `captureFromClient` for `list_changed` handling),
 * and builds the manifest. A spawned server is always ended, on success and on error:
 * the transport is closed and the server's whole process group is SIGTERMed, then
 * SIGKILLed, if it outlives a short grace. Every line a stdio server sends is read as strict
 * JSON (see `StrictStdioClientTransport`).
 *
 * @throws CaptureError `SERVER_SPAWN_FAILED`, `SERVER_TIMEOUT`, `SERVER_CLOSED`,
 *   `SERVER_JSON_INVALID` (duplicate keys, lone surrogates, ... in what the server sent),
 *   `SERVER_MESSAGE_INVALID` (a line that is JSON but not JSON-RPC),
 *   `SERVER_UNREACHABLE`, `SERVER_ERROR`, `CURSOR_LOOP`, `TOO_MANY_PAGES`, `LIST_TOO_LARGE`,
 *   `LIST_UNSTABLE`, `LIST_MALFORMED`; InputError `URL_INVALID`; ManifestError from `buildManifest`
 */
export async function captureServer(target: ServerTarget, options: CaptureOptions = {}): Promise<Manifest> {
  const profile = options.profile ?? BARE_PROFILE;
  const limits = captureLimits(options);
  const conn = openConnection(target, profile, limits, options);
  const ctx: CaptureContext = {
    server: describeTarget(target), step: 'initialize', limits,
    stderrTail: conn.stderrTail, transportError: conn.watch.lastError,
  };
  try {
    try {
      await conn.client.connect(conn.transport, { timeout: limits.requestTimeoutMs });
    } catch (err) {
      throw toCaptureError(err, ctx);
    }
    const protocolVersion = conn.watch.protocolVersion();
    if (protocolVersion === undefined) {
      throw new CaptureError('CAPTURE_FAILED', `The MCP server ${ctx.server} completed initialize without a protocol version toolseal could see.`);
    }
    return await captureFromClient(conn.client, { profile, protocolVersion, exclude: options.exclude, artifacts: options.artifacts }, ctx);
  } finally {
    await conn.close();
  }
}
