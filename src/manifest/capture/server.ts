import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { CaptureError } from '../../errors.js';
import { MODERN_ERROR_CODES, MODERN_PROTOCOL_VERSION, type ProtocolEraChoice, type RequestEnvelope } from '../../protocol/index.js';
import { TOOLSEAL_VERSION } from '../../version.js';
import { BARE_PROFILE, type ClientProfile } from '../profile.js';
import { withoutDynamicEntries } from '../build.js';
import type { DynamicList, Manifest } from '../schema.js';
import { openConnection, parseServerUrl, type Connection } from './connect.js';
import type { CaptureContext } from './context.js';
import { toCaptureError } from './errors.js';
import { captureFromClient } from './from-client.js';
import { ModernHttpClientTransport } from './modern-http.js';
import { captureModernLists } from './modern.js';
import { probeDiscover, type ProbeOutcome } from './probe.js';
import { RpcRequester, type RequestFn } from './rpc.js';
import { captureLimits, describeTarget, type CaptureLimits, type CaptureOptions, type ServerTarget } from './options.js';

/** The longest a stdio `server/discover` probe waits before taking silence for a legacy server. */
const STDIO_PROBE_TIMEOUT_MS = 10_000;

/**
 * Captures a live MCP server into a manifest: spawns it (stdio) or connects to it
 * (Streamable HTTP), reads every page of every list the server declared (see
 * `captureFromClient` for `list_changed` handling), and builds the manifest.
 *
 * Era (`protocolEra`, default `auto`): `auto` probes with `server/discover` (over stdio on
 * the one spawned process, as the spec's backward-compatibility probe; over HTTP as the
 * first request) and captures statelessly in 2026-07-28 when the server offers it, else
 * falls back to `initialize` on the same process (a server that exited on the probe is
 * started once more); `modern` requires 2026-07-28; `legacy` only runs `initialize`.
 * The entries are the same in both eras; the manifest records the era and version.
 *
 * A spawned server is always ended, on success and on error: the transport is closed and
 * the server's whole process group is SIGTERMed, then SIGKILLed, if it outlives a short
 * grace. Every line a stdio server sends, and every HTTP answer in the modern era, is read
 * as strict JSON (see `StrictStdioClientTransport`).
 *
 * @throws CaptureError `SERVER_SPAWN_FAILED`, `SERVER_TIMEOUT`, `SERVER_CLOSED`,
 *   `SERVER_JSON_INVALID` (duplicate keys, lone surrogates, ... in what the server sent),
 *   `SERVER_MESSAGE_INVALID` (a line that is JSON but not JSON-RPC),
 *   `SERVER_UNREACHABLE`, `SERVER_ERROR`, `CURSOR_LOOP`, `TOO_MANY_PAGES`, `LIST_TOO_LARGE`,
 *   `LIST_UNSTABLE`, `LIST_MALFORMED`, `DISCOVER_INVALID`, `PROTOCOL_UNSUPPORTED`,
 *   `PROTOCOL_ERA_UNAVAILABLE` (`modern` asked, the server speaks only the legacy era),
 *   `SERVER_INFO_MISSING`, `SERVER_INFO_INCONSISTENT`; InputError `URL_INVALID`;
 *   ManifestError from `buildManifest`
 */
export async function captureServer(target: ServerTarget, options: CaptureOptions = {}): Promise<Manifest> {
  const manifest = await captureAnyEra(target, options);
  // A manifest to sign holds no user data: the dynamic lists' entries stay on this machine.
  return options.keepDynamicEntries ? manifest : withoutDynamicEntries(manifest);
}

async function captureAnyEra(target: ServerTarget, options: CaptureOptions): Promise<Manifest> {
  const era = options.protocolEra ?? 'auto';
  if (era !== 'legacy' && target.kind === 'http') {
    const modern = await captureHttpModern(target, options, era);
    if (modern !== undefined) return modern;
  }
  const profile = options.profile ?? BARE_PROFILE;
  const limits = captureLimits(options);
  const conn = openConnection(target, profile, limits, options);
  const ctx = contextFor(target, limits, conn);
  try {
    if (era !== 'legacy' && target.kind === 'stdio') {
      const outcome = await probeStdio(conn, options, ctx, era);
      if (outcome.modern) return outcome.modern;
      if (outcome.restart) return await captureAnyEra(target, { ...options, protocolEra: 'legacy' });
      // The probe's process goes on serving the handshake: one launch, as the user runs it.
      conn.transport.start = async () => undefined;
    }
    return await captureLegacy(conn, options, profile, ctx);
  } finally {
    await conn.close();
  }
}

async function captureLegacy(conn: Connection, options: CaptureOptions, profile: ClientProfile, ctx: CaptureContext): Promise<Manifest> {
  ctx.step = 'initialize';
  try {
    await conn.client.connect(conn.transport, { timeout: ctx.limits.requestTimeoutMs });
  } catch (err) {
    if (refusedLegacy(err)) {
      throw new CaptureError('PROTOCOL_ERA_UNAVAILABLE', `The MCP server ${ctx.server} speaks only MCP ${MODERN_PROTOCOL_VERSION} and refused initialize; capture it with --protocol-era auto or modern.`, { cause: err });
    }
    throw toCaptureError(err, ctx);
  }
  const protocolVersion = conn.watch.protocolVersion();
  const initialized = conn.watch.initializeResult();
  if (initialized) options.onInitialize?.(initialized);
  if (protocolVersion === undefined) {
    throw new CaptureError('CAPTURE_FAILED', `The MCP server ${ctx.server} completed initialize without a protocol version toolseal could see.`);
  }
  return captureFromClient(conn.client, { profile, protocolVersion, exclude: options.exclude, artifacts: options.artifacts, ...dynamicOf(options) }, ctx);
}

async function probeStdio(conn: Connection, options: CaptureOptions, ctx: CaptureContext, era: ProtocolEraChoice): Promise<{ modern?: Manifest; restart?: boolean }> {
  const requester = new RpcRequester(conn.transport, 'toolseal-probe-');
  try {
    await conn.transport.start();
    const probeMs = Math.min(ctx.limits.requestTimeoutMs, options.probeTimeoutMs ?? STDIO_PROBE_TIMEOUT_MS);
    const outcome = await probeDiscover(requester.request, envelopeFor(options), probeMs, 'stdio', ctx);
    if (outcome.era === 'modern') return { modern: await captureModern(requester.request, outcome, options, ctx) };
    refuseLegacy(era, outcome, ctx);
    requester.release();
    return outcome.closed ? { restart: true } : {};
  } catch (err) {
    throw toCaptureError(err, ctx);
  }
}

async function captureHttpModern(target: Extract<ServerTarget, { kind: 'http' }>, options: CaptureOptions, era: ProtocolEraChoice): Promise<Manifest | undefined> {
  const limits = captureLimits(options);
  const server = describeTarget(target);
  const transport = new ModernHttpClientTransport({ url: parseServerUrl(target.url), headers: target.headers, server, maxMessageBytes: limits.maxListBytes + 1024 * 1024 });
  const requester = new RpcRequester(transport);
  const ctx: CaptureContext = { server, step: 'server/discover', limits };
  try {
    const outcome = await probeDiscover(requester.request, envelopeFor(options), limits.requestTimeoutMs, 'http', ctx);
    if (outcome.era === 'modern') return await captureModern(requester.request, outcome, options, ctx);
    refuseLegacy(era, outcome, ctx);
    return undefined;
  } catch (err) {
    throw toCaptureError(err, ctx);
  } finally {
    await transport.close();
  }
}

/** `initialize` answered -32022 (UnsupportedProtocolVersion): a modern-only server (in-band on stdio, an HTTP 400 body over HTTP). */
function refusedLegacy(err: unknown): boolean {
  if (err instanceof McpError) return err.code === MODERN_ERROR_CODES.unsupportedProtocolVersion;
  return err instanceof StreamableHTTPError && err.code === 400 && /"code"\s*:\s*-32022\b/.test(err.message);
}

function refuseLegacy(era: ProtocolEraChoice, outcome: Extract<ProbeOutcome, { era: 'legacy' }>, ctx: CaptureContext): void {
  if (era !== 'modern') return;
  throw new CaptureError('PROTOCOL_ERA_UNAVAILABLE', `The MCP server ${ctx.server} does not speak MCP ${MODERN_PROTOCOL_VERSION} (${outcome.reason}); capture it with --protocol-era legacy or auto.`);
}

/** The modern-era capture after a probe found a 2026-07-28 server: `onDiscover` hears its discover result first. */
function captureModern(request: RequestFn, outcome: Extract<ProbeOutcome, { era: 'modern' }>, options: CaptureOptions, ctx: CaptureContext): Promise<Manifest> {
  if (outcome.raw) options.onDiscover?.(outcome.raw);
  return captureModernLists(request, modernInput(outcome, options), ctx);
}

function modernInput(outcome: Extract<ProbeOutcome, { era: 'modern' }>, options: CaptureOptions) {
  const profile = options.profile ?? BARE_PROFILE;
  return { version: outcome.version, discover: outcome.discover, envelope: envelopeFor(options), profile, exclude: options.exclude, artifacts: options.artifacts, ...dynamicOf(options) };
}

/** The dynamic lists and who hears that one could not be read (default: stderr). */
function dynamicOf(options: CaptureOptions): { dynamic?: DynamicList[]; onNote?: (note: string) => void } {
  if (!options.dynamic?.length) return {};
  return { dynamic: options.dynamic, onNote: options.onNote ?? ((note) => void process.stderr.write(`toolseal: ${note}\n`)) };
}

/** The request envelope of a capture: the profile's capabilities, toolseal as the client. */
function envelopeFor(options: CaptureOptions): RequestEnvelope {
  const profile = options.profile ?? BARE_PROFILE;
  return { protocolVersion: MODERN_PROTOCOL_VERSION, clientCapabilities: profile.capabilities as Record<string, unknown>, clientInfo: { name: 'toolseal', version: TOOLSEAL_VERSION } };
}

function contextFor(target: ServerTarget, limits: CaptureLimits, conn: Connection): CaptureContext {
  return { server: describeTarget(target), step: 'initialize', limits, stderrTail: conn.stderrTail, transportError: conn.watch.lastError };
}
