import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ErrorCode, McpError, PromptListChangedNotificationSchema, ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { CaptureError } from '../../errors.js';
import type { Manifest } from '../schema.js';
import { capturedManifest, readDeclaredLists, type ManifestRecording } from './assemble.js';
import { clientContext, type CaptureContext } from './context.js';
import { toCaptureError } from './errors.js';
import { captureLimits, type CaptureOptions } from './options.js';
import type { ListSpec } from '../lists.js';
import { listAll, request, type ListBudget } from './list.js';
import { noteUnsignedServerInfo } from './unsigned.js';

/** What {@link captureFromClient} needs besides the connected client. */
export interface ClientCaptureOptions extends Pick<CaptureOptions, 'requestTimeoutMs' | 'maxPages' | 'maxListBytes'>, ManifestRecording {
  /** Names the server in error messages; must not contain secrets. Default "the connected server". */
  server?: string;
  /** The protocol version negotiated in `initialize` (see `watchTransport`). */
  protocolVersion: string;
}

/** The `list_changed` notifications, counted while the lists are read. */
const LIST_CHANGED_SCHEMAS = [ToolListChangedNotificationSchema, PromptListChangedNotificationSchema, ResourceListChangedNotificationSchema];

/**
 * Lists everything over an already-initialized SDK client and builds the manifest.
 * Only lists whose capability the server declared are requested.
 *
 * `list_changed` during capture: the server may change a list while it is read. Capture
 * counts `notifications/{tools,prompts,resources}/list_changed` and, after each list,
 * sends a `ping` as a barrier (over stdio, messages arrive in order, so any notification
 * sent before the ping's answer has been seen). One `ping` also runs before the first
 * list, so changes a server announces right after `initialize` (server-everything does
 * when it registers capability-dependent tools) are settled before listing. If a list
 * changed while it was read, it is read again once; if it changes during that second
 * read too, the server is not stable enough to sign and capture fails with
 * `LIST_UNSTABLE`. Re-reads count toward `maxListBytes`. Changes after capture are the
 * connect-time guard's business. This installs the client's list_changed handlers.
 *
 * @param ctx - internal: lets `captureServer` add the child's stderr to messages
 * @throws CaptureError (see `listAll`, plus `LIST_UNSTABLE`, `NOT_INITIALIZED`), ManifestError from `buildManifest`
 */
export async function captureFromClient(
  client: Client,
  options: ClientCaptureOptions,
  ctx: CaptureContext = clientContext(options.server ?? 'the connected server', captureLimits(options)),
): Promise<Manifest> {
  try {
    return await captureLists(client, options, ctx);
  } catch (err) {
    throw toCaptureError(err, ctx);
  }
}

async function captureLists(client: Client, options: ClientCaptureOptions, ctx: CaptureContext): Promise<Manifest> {
  const info = client.getServerVersion();
  const caps = client.getServerCapabilities();
  if (!info || !caps) throw new CaptureError('NOT_INITIALIZED', `The MCP client for ${ctx.server} has not completed initialize; connect it before capturing.`);
  const changes = watchListChanged(client);
  const budget: ListBudget = { usedBytes: 0 };
  await barrier(client, ctx);
  const lists = await readDeclaredLists(caps, options, ctx.server, (spec) => stableList(client, spec, () => changes.get(spec.changed) ?? 0, ctx, budget));
  const server = { name: info.name, version: info.version, ...(info.title !== undefined ? { title: info.title } : {}) };
  return noteUnsignedServerInfo(capturedManifest({ server, protocolVersion: options.protocolVersion, era: 'legacy', instructions: client.getInstructions() }, options, lists), info);
}

async function stableList(client: Client, spec: ListSpec, generation: () => number, ctx: CaptureContext, budget: ListBudget): Promise<Record<string, unknown>[]> {
  const { method } = spec;
  for (let attempt = 0; attempt < 2; attempt++) {
    const before = generation();
    const entries = await listAll(client, method, ctx, budget);
    await barrier(client, ctx);
    if (generation() === before) return entries;
  }
  throw new CaptureError('LIST_UNSTABLE', `The MCP server ${ctx.server} announced a change of ${method} while it was read, twice in a row; a list that keeps changing cannot be signed. Capture again when the server is idle.`);
}

/** Counts list_changed notifications per notification method. */
function watchListChanged(client: Client): Map<string, number> {
  const counts = new Map<string, number>();
  for (const schema of LIST_CHANGED_SCHEMAS) {
    client.setNotificationHandler(schema, (n) => { counts.set(n.method, (counts.get(n.method) ?? 0) + 1); });
  }
  return counts;
}

/** A round trip that every message the server sent before it has been processed by. */
async function barrier(client: Client, ctx: CaptureContext): Promise<void> {
  try {
    await request(client, ctx, 'ping');
  } catch (err) {
    // An error answer is still an answer, and so still a barrier; only silence is a fault.
    if (!(err instanceof McpError) || err.code === ErrorCode.RequestTimeout || err.code === ErrorCode.ConnectionClosed) throw err;
  }
}
