import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { InputError } from '../errors.js';
import type { ServerTarget } from '../manifest/capture/options.js';
import { META, isModernVersion, metaOf } from '../protocol/wire.js';
import { checkPostHeaders, HttpRefusal, LegacyRoute, LOOPBACK, ModernRoute, ProxyAccess, readStrictBody, replyError } from './http/index.js';
import type { ModernGuardOptions } from './modern/index.js';
import type { RpcMessage } from './rpc.js';
import type { GuardOptions } from './session.js';
import type { UpstreamOptions } from './upstream.js';

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

/**
 * Serves the guard over Streamable HTTP in both eras. A 2026-07-28 request (no session,
 * `_meta` naming a modern version, or `server/discover`) is answered statelessly by one
 * shared guard (see `ModernRoute`): any instance can answer any request, so the proxy
 * scales out behind a load balancer. A 2025-era client gets a session per `initialize`,
 * with its own `GuardSession` and upstream (see `LegacyRoute`), closed on DELETE, when
 * idle, when the upstream ends, or when the proxy stops. Before anything is spawned a request
 * must pass: `Host` (loopback binds), `Origin` (403), the bearer token (see `ProxyAccess`),
 * the path, the method, `Content-Type`/`Accept`, and a strictly read JSON body.
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
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const access = new ProxyAccess(host, options.authToken, options.allowedOrigins);
  const legacy = new LegacyRoute({ ...options, maxBodyBytes });
  const modern = new ModernRoute({ ...options });
  const proxy: ProxyRoutes = { access, path, maxBodyBytes, legacy, modern, stopping: false };
  const server = createServer((req, res) => {
    route(proxy, req, res).catch((err: Error) => {
      if (err instanceof HttpRefusal) return replyError(res, err.status, err.message, err.rpcCode, err.id);
      options.log?.(`toolseal proxy: request failed: ${err.message}`);
      replyError(res, 500, 'internal error', -32603);
    });
  });
  const address = await listen(server, host, options.port);
  const shown = access.bind(address);
  return {
    url: `http://${shown}:${address.port}${path}`,
    sessionCount: () => legacy.size,
    close: async () => {
      proxy.stopping = true;
      await Promise.allSettled([legacy.close(), modern.close()]);
      await closeServer(server);
    },
  };
}

/** What {@link route} needs of a running proxy. */
interface ProxyRoutes {
  access: ProxyAccess;
  path: string;
  maxBodyBytes: number;
  legacy: LegacyRoute;
  modern: ModernRoute;
  stopping: boolean;
}

/** Checks one request, in the order the proxy's doc gives, and hands it to the route of its era. */
async function route(proxy: ProxyRoutes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  proxy.access.check(req, res);
  if (new URL(req.url ?? '/', 'http://x').pathname !== proxy.path) throw new HttpRefusal(404, `not found; the MCP endpoint is ${proxy.path}`);
  if (proxy.stopping) throw new HttpRefusal(503, 'the proxy is shutting down');
  const sessionId = req.headers['mcp-session-id'];
  if (typeof sessionId === 'string') return proxy.legacy.handle(req, res, sessionId);
  if (req.method !== 'POST') throw new HttpRefusal(405, 'only POST is served without a session (GET and DELETE need a 2025-era session)');
  checkPostHeaders(req);
  const body = await readStrictBody(req, proxy.maxBodyBytes);
  const msg = body as RpcMessage;
  if (body === null || typeof body !== 'object' || Array.isArray(body) || msg.jsonrpc !== '2.0') throw new HttpRefusal(400, 'the body must be one JSON-RPC message', -32600);
  // A request that claims the modern era (its _meta, its MCP-Protocol-Version header, or
  // server/discover) is modern, initialize included (-32601 there); else initialize opens a session.
  const claimsModern = msg.method === 'server/discover' || metaOf(msg.params)?.[META.protocolVersion] !== undefined || isModernVersion(req.headers['mcp-protocol-version']);
  if (claimsModern) return proxy.modern.handle(req, res, body);
  if (msg.method === 'initialize' && msg.id !== undefined) return proxy.legacy.open(req, res, body);
  throw new HttpRefusal(400, 'Invalid params: the request has no _meta["io.modelcontextprotocol/protocolVersion"] (every 2026-07-28 request names its protocol version) and no session (a 2025-era client starts with initialize)', -32602, msg.id ?? null);
}

/**
 * Binds `server`; the address it listens on.
 *
 * @throws InputError `LISTEN_FAILED` when the address cannot be bound
 */
async function listen(server: Server, host: string, port: number): Promise<{ port: number; address: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new InputError('LISTEN_FAILED', `The proxy cannot listen on ${host}:${port}: ${err.message}. Choose another --listen address.`, { cause: err })));
    server.listen(port, host, () => resolve());
  });
  return server.address() as { port: number; address: string };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
