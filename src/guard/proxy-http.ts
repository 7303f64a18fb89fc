import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { InputError } from '../errors.js';
import { describeTarget, type ServerTarget } from '../manifest/capture/options.js';
import { META, isModernVersion, metaOf } from '../protocol/wire.js';
import { checkPostHeaders, HttpRefusal, readStrictBody, replyError } from './http/messages.js';
import { ModernRoute } from './http/modern.js';
import type { ModernGuardOptions } from './modern/guard.js';
import type { RpcMessage } from './rpc.js';
import { GuardSession, type GuardOptions } from './session.js';
import { upstreamTransport, type UpstreamOptions } from './upstream.js';

/** Options of {@link startHttpProxy}. */
export interface HttpProxyOptions extends GuardOptions, UpstreamOptions, Pick<ModernGuardOptions, 'verifyCache'> {
  upstream: ServerTarget;
  /** Address to listen on. Default 127.0.0.1. Any other than a loopback address needs `authToken`. */
  host?: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Path of the MCP endpoint. Default `/mcp`. */
  path?: string;
  /** Largest request body accepted, in bytes. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Most 2025-era sessions open at once (each has its own upstream); more are refused with 503. Default 32. */
  maxSessions?: number;
  /** A 2025-era session without a request for this long is closed. Default 10 minutes. */
  idleTimeoutMs?: number;
  /** When set, every request must carry `Authorization: Bearer <token>` (401 otherwise). */
  authToken?: string;
  /** Browser origins allowed besides the proxy's own (e.g. `https://app.example.com`); any other `Origin` gets 403. */
  allowedOrigins?: string[];
}

/** A running Streamable HTTP proxy. */
export interface HttpProxy {
  /** The endpoint clients connect to, e.g. `http://127.0.0.1:8931/mcp`. */
  url: string;
  /** 2025-era sessions currently open. */
  sessionCount(): number;
  /** Stops listening and closes every session and upstream. */
  close(): Promise<void>;
}

interface LegacySession { transport: StreamableHTTPServerTransport; session: GuardSession; idle?: NodeJS.Timeout }

/** Bind addresses that only local processes (and, through DNS rebinding, web pages) can reach. */
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Serves the guard over Streamable HTTP in both eras. A 2026-07-28 request (no session,
 * `_meta` naming a modern version, or `server/discover`) is answered statelessly by one
 * shared guard (see `ModernRoute`): any instance can answer any request, so the proxy
 * scales out behind a load balancer. A 2025-era client gets a session per `initialize`,
 * with its own {@link GuardSession} and upstream, closed on DELETE, when idle, when the
 * upstream ends, or when the proxy stops. Before anything is spawned a request must pass:
 * `Host` (loopback binds), `Origin` (403), the bearer token, the path, the method,
 * `Content-Type`/`Accept`, and a strictly read JSON body.
 *
 * @throws InputError `LISTEN_FAILED` when the address cannot be bound, `AUTH_TOKEN_REQUIRED`
 *   for a non-loopback address without `authToken`
 */
export async function startHttpProxy(options: HttpProxyOptions): Promise<HttpProxy> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && !options.authToken) {
    throw new InputError('AUTH_TOKEN_REQUIRED', `The proxy would listen on ${host}, which is reachable from other machines; give a bearer token with --auth-token-file FILE, or listen on 127.0.0.1.`);
  }
  const path = options.path ?? '/mcp';
  const sessions = new Map<string, LegacySession>();
  const modern = new ModernRoute({ ...options });
  let counter = 0;
  let stopping = false;
  let allowedHosts: Set<string> | undefined;
  let allowedOrigins = new Set<string>();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (err instanceof HttpRefusal) return replyError(res, err.status, err.message, err.rpcCode, err.id);
      options.log?.(`toolseal proxy: request failed: ${err.message}`);
      replyError(res, 500, 'internal error', -32603);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: a web page whose name resolves to 127.0.0.1 reaches a loopback proxy
    // same-origin, so only Host values that name the loopback address itself are served.
    if (allowedHosts && !allowedHosts.has((req.headers.host ?? '').toLowerCase())) throw new HttpRefusal(403, 'the Host header does not name this proxy\'s loopback address');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin.toLowerCase())) throw new HttpRefusal(403, 'the Origin header names a page this proxy does not serve');
    if (options.authToken !== undefined && !bearerMatches(req.headers.authorization, options.authToken)) {
      res.setHeader('www-authenticate', 'Bearer');
      throw new HttpRefusal(401, 'a bearer token is required');
    }
    if (new URL(req.url ?? '/', 'http://x').pathname !== path) throw new HttpRefusal(404, `not found; the MCP endpoint is ${path}`);
    if (stopping) throw new HttpRefusal(503, 'the proxy is shutting down');
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') return toSession(req, res, sessionId);
    if (req.method !== 'POST') throw new HttpRefusal(405, 'only POST is served without a session (GET and DELETE need a 2025-era session)');
    checkPostHeaders(req);
    const body = await readStrictBody(req, options.maxBodyBytes ?? 4 * 1024 * 1024);
    const msg = body as RpcMessage;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || msg.jsonrpc !== '2.0') throw new HttpRefusal(400, 'the body must be one JSON-RPC message', -32600);
    // A request that claims the modern era (its _meta, its MCP-Protocol-Version header, or
    // server/discover) is modern, initialize included (-32601 there); else initialize opens a session.
    const claimsModern = msg.method === 'server/discover' || metaOf(msg.params)?.[META.protocolVersion] !== undefined || isModernVersion(req.headers['mcp-protocol-version']);
    if (claimsModern) return modern.handle(req, res, body);
    if (msg.method === 'initialize' && msg.id !== undefined) return openSession(req, res, body);
    throw new HttpRefusal(400, 'Invalid params: the request has no _meta["io.modelcontextprotocol/protocolVersion"] (every 2026-07-28 request names its protocol version) and no session (a 2025-era client starts with initialize)', -32602, msg.id ?? null);
  }

  async function toSession(req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> {
    const open = sessions.get(sessionId);
    if (!open) throw new HttpRefusal(404, 'unknown or closed session');
    touch(sessionId, open);
    if (req.method !== 'POST') return open.transport.handleRequest(req, res);
    checkPostHeaders(req);
    const body = await readStrictBody(req, options.maxBodyBytes ?? 4 * 1024 * 1024);
    return open.transport.handleRequest(req, res, body);
  }

  async function openSession(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const max = options.maxSessions ?? 32;
    if (sessions.size >= max) throw new HttpRefusal(503, `${max} sessions are open, the most this proxy serves (--max-sessions); close one or try later`, -32000, (body as RpcMessage).id ?? null);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        const entry = { transport, session };
        sessions.set(id, entry);
        touch(id, entry);
      },
    });
    const session = new GuardSession(upstreamTransport(options.upstream, options), {
      send: (message, sendOptions) => transport.send(message, sendOptions),
      close: () => transport.close(),
    }, { serverLabel: describeTarget(options.upstream), ...options, sessionId: options.sessionId ?? `http-${++counter}` });
    session.onclose = () => {
      const id = transport.sessionId;
      if (id) {
        clearTimeout(sessions.get(id)?.idle);
        sessions.delete(id);
      }
    };
    transport.onmessage = (message) => session.fromClient(message as JSONRPCMessage);
    transport.onclose = () => void session.close();
    try {
      await session.start();
    } catch (err) {
      await session.close(err as Error);
      throw new HttpRefusal(502, `the server could not be started: ${(err as Error).message}`, -32000, (body as RpcMessage).id ?? null);
    }
    await transport.handleRequest(req, res, body);
    // The SDK may still refuse the initialize (a header it checks): then no session exists
    // for the spawned upstream, which must not outlive this request.
    if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) await session.close();
  }

  function touch(id: string, entry: LegacySession): void {
    clearTimeout(entry.idle);
    const idle = options.idleTimeoutMs ?? 10 * 60_000;
    entry.idle = setTimeout(() => {
      options.log?.(`toolseal proxy: closed session ${id.slice(0, 8)}…, idle for ${idle} ms`);
      void entry.session.close();
    }, idle);
    entry.idle.unref();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new InputError('LISTEN_FAILED', `The proxy cannot listen on ${host}:${options.port}: ${err.message}. Choose another --listen address.`, { cause: err })));
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address() as { port: number; address: string };
  const shown = address.address.includes(':') ? `[${address.address}]` : address.address;
  const own = LOOPBACK.has(host) ? ['127.0.0.1', 'localhost', '[::1]'] : [shown];
  if (LOOPBACK.has(host)) allowedHosts = new Set(own.map((h) => `${h}:${address.port}`));
  allowedOrigins = new Set([...own.map((h) => `http://${h}:${address.port}`), ...(options.allowedOrigins ?? []).map((o) => o.toLowerCase())]);
  return {
    url: `http://${shown}:${address.port}${path}`,
    sessionCount: () => sessions.size,
    close: async () => {
      stopping = true;
      await Promise.allSettled([...[...sessions.values()].map(({ session }) => session.close()), modern.close()]);
      await closeServer(server);
    },
  };
}

/** Compares the bearer token in constant time (over digests, so lengths do not leak either). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
