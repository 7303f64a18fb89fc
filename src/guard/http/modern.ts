import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerTarget } from '../../manifest/capture/options.js';
import { META, NAMED_METHODS, REMOVED_METHODS, decodeHeaderValue, metaOf, metaProblem, MODERN_RPC_CODES } from '../../protocol/wire.js';
import { ModernGuard, type ModernGuardOptions } from '../modern/guard.js';
import { modernUpstreamFor } from '../modern/connect.js';
import { kindOf, type RpcMessage } from '../rpc.js';
import { upstreamTransport, type UpstreamOptions } from '../upstream.js';
import { HttpRefusal } from './messages.js';

/** Options of the stateless route: the guard's and the upstream's. */
export type ModernRouteOptions = ModernGuardOptions & UpstreamOptions & { upstream: ServerTarget };

/**
 * The HTTP proxy's 2026-07-28 route: a POST without a session carrying one modern
 * request is checked (its `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` headers
 * must agree with the body, `-32020` otherwise), answered by one {@link ModernGuard}
 * shared by every request, and written back as JSON, or as an event stream once the
 * request has notifications (progress, a listen stream). Nothing is spawned before the
 * first request passed these checks; a stdio server that ends is spawned again on the
 * next request (the era is stateless, so nothing is lost but the cache).
 */
export class ModernRoute {
  private guard: Promise<ModernGuard> | undefined;
  private closed = false;

  constructor(private readonly options: ModernRouteOptions) {}

  async handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const msg = body as RpcMessage;
    if (kindOf(msg) === 'notification') return void res.writeHead(202).end();
    if (kindOf(msg) === 'response') throw new HttpRefusal(400, 'a client must not POST responses in the 2026-07-28 era', -32600, msg.id ?? null);
    // A removed method is answered -32601 (404) by the guard, whatever else is wrong with it;
    // then the _meta rules, then the headers: a request without _meta is invalid whatever its headers say.
    if (!REMOVED_METHODS.has(msg.method ?? '')) {
      const problem = metaProblem(msg.params);
      if (problem !== undefined) throw new HttpRefusal(400, `Invalid params: ${problem}`, MODERN_RPC_CODES.invalidParams, msg.id ?? null);
      checkMirroredHeaders(req, msg);
    }
    const guard = await this.guardFor();
    const cancelled = new AbortController();
    res.once('close', () => { if (!res.writableFinished) cancelled.abort(); });
    let streaming = false;
    const event = (message: RpcMessage): string => `event: message\ndata: ${JSON.stringify(message)}\n\n`;
    const emit = (notification: RpcMessage): void => {
      if (res.writableEnded || res.destroyed) return;
      if (!streaming) {
        streaming = true;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
      }
      res.write(event(notification));
    };
    const answer = await guard.handle(msg, { emit, signal: cancelled.signal, headers: paramHeaders(req) });
    if (res.writableEnded || res.destroyed) return;
    if (streaming) return void res.end(event(answer));
    res.writeHead(statusOf(answer, msg), { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  }

  async close(): Promise<void> {
    this.closed = true;
    const guard = await this.guard?.catch(() => undefined);
    await guard?.close();
  }

  private guardFor(): Promise<ModernGuard> {
    if (this.closed) return Promise.reject(new HttpRefusal(503, 'the proxy is shutting down'));
    this.guard ??= this.startGuard().catch((err: Error) => {
      this.guard = undefined;
      throw err;
    });
    return this.guard;
  }

  private async startGuard(): Promise<ModernGuard> {
    const target = this.options.upstream;
    const raw = target.kind === 'stdio' ? upstreamTransport(target, this.options) : undefined;
    await raw?.start();
    const current = this.guard;
    const { upstream } = modernUpstreamFor(target, raw, {
      ...this.options,
      onClose: () => { if (this.guard === current) this.guard = undefined; },
    });
    return new ModernGuard(upstream, { ...this.options, sessionId: this.options.sessionId ?? 'http-modern' });
  }
}

/**
 * The revision's header rule: a request's headers must say what its body says, so that
 * an intermediary routing on the header and the server acting on the body agree. A
 * header naming an allowed tool over a body that calls another is refused here.
 *
 * @throws HttpRefusal 400 with `-32020` (HeaderMismatch) and the request's id
 */
export function checkMirroredHeaders(req: IncomingMessage, msg: RpcMessage): void {
  const mismatch = (what: string): never => {
    throw new HttpRefusal(400, `Header mismatch: ${what}`, MODERN_RPC_CODES.headerMismatch, msg.id ?? null);
  };
  const version = metaOf(msg.params)?.[META.protocolVersion];
  const versionHeader = req.headers['mcp-protocol-version'];
  if (version !== undefined && versionHeader === undefined) mismatch('the MCP-Protocol-Version header is missing');
  if (versionHeader !== undefined && versionHeader !== version) mismatch(`the MCP-Protocol-Version header "${String(versionHeader).slice(0, 40)}" does not match the body's _meta`);
  const method = req.headers['mcp-method'];
  if (method === undefined) mismatch('the Mcp-Method header is missing');
  if (decodeHeaderValue(String(method)) !== msg.method) mismatch(`the Mcp-Method header does not match the body's method "${String(msg.method).slice(0, 80)}"`);
  const field = NAMED_METHODS[msg.method ?? ''];
  if (!field) return;
  const name = req.headers['mcp-name'];
  if (name === undefined) mismatch('the Mcp-Name header is missing');
  const decoded = decodeHeaderValue(String(name));
  if (decoded === undefined) mismatch('the Mcp-Name header is not valid base64 UTF-8');
  if (decoded !== msg.params?.[field]) mismatch(`the Mcp-Name header does not match the body's params.${field}`);
}

/** The client's `Mcp-Param-*` headers, passed upstream as the revision asks of intermediaries. */
function paramHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('mcp-param-') && typeof value === 'string') out[name] = value;
  }
  return out;
}

/** The HTTP status of an answer, as the revision assigns them. */
function statusOf(answer: RpcMessage, msg: RpcMessage): number {
  const code = answer.error?.code;
  if (code === undefined) return 200;
  if (code === MODERN_RPC_CODES.methodNotFound) return 404;
  if (code === MODERN_RPC_CODES.unsupportedProtocolVersion || code === MODERN_RPC_CODES.headerMismatch || code === MODERN_RPC_CODES.missingRequiredClientCapability) return 400;
  return 200;
}
