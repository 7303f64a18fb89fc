import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { InputError } from '../errors.js';
import { describeTarget, type ServerTarget } from '../manifest/capture/options.js';
import { GuardSession, type GuardOptions } from './session.js';
import { upstreamTransport, type UpstreamOptions } from './upstream.js';

/** Options of {@link startHttpProxy}. */
export interface HttpProxyOptions extends GuardOptions, UpstreamOptions {
  upstream: ServerTarget;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Path of the MCP endpoint. Default `/mcp`. */
  path?: string;
  /** Largest request body accepted, in bytes. Default 4 MiB. */
  maxBodyBytes?: number;
}

/** A running Streamable HTTP proxy. */
export interface HttpProxy {
  /** The endpoint clients connect to, e.g. `http://127.0.0.1:8931/mcp`. */
  url: string;
  /** Sessions currently open. */
  sessionCount(): number;
  /** Stops listening and closes every session (and so every upstream). */
  close(): Promise<void>;
}

/**
 * Serves the guard over Streamable HTTP: each client session (an `initialize` POST without
 * a session id) gets its own {@link GuardSession} and its own upstream connection (a new
 * HTTP session, or a newly spawned stdio server), closed when the client sends DELETE,
 * the upstream ends, or the proxy stops.
 *
 * @throws InputError `LISTEN_FAILED` when the address cannot be bound
 */
export async function startHttpProxy(options: HttpProxyOptions): Promise<HttpProxy> {
  const path = options.path ?? '/mcp';
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; session: GuardSession }>();
  let counter = 0;
  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      const tooLarge = (err as { code?: string }).code === 'REQUEST_TOO_LARGE';
      if (!tooLarge) options.log?.(`toolseal proxy: request failed: ${err.message}`);
      if (!res.headersSent) reply(res, tooLarge ? 413 : 500, tooLarge ? err.message : 'internal error');
    });
  });

  let allowedHosts: Set<string> | undefined;
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: a web page whose name resolves to 127.0.0.1 reaches a loopback proxy
    // same-origin, so only Host values that name the loopback address itself are served.
    if (allowedHosts && !allowedHosts.has((req.headers.host ?? '').toLowerCase())) return reply(res, 403, 'the Host header does not name this proxy\'s loopback address');
    if (new URL(req.url ?? '/', 'http://x').pathname !== path) return reply(res, 404, `not found; the MCP endpoint is ${path}`);
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const open = sessions.get(sessionId);
      if (!open) return reply(res, 404, 'unknown or closed session');
      const body = req.method === 'POST' ? await readBody(req, options.maxBodyBytes) : undefined;
      if (req.method === 'POST' && body === undefined) return reply(res, 400, 'the body is not JSON');
      return open.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST') return reply(res, 400, 'no session: start one with an initialize POST');
    const body = await readBody(req, options.maxBodyBytes);
    if (!isInitializeRequest(body)) return reply(res, 400, 'no session: the first request must be initialize');
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, { transport, session }),
    });
    const session = new GuardSession(upstreamTransport(options.upstream, options), {
      send: (message, sendOptions) => transport.send(message, sendOptions),
      close: () => transport.close(),
    }, { serverLabel: describeTarget(options.upstream), ...options, sessionId: options.sessionId ?? `http-${++counter}` });
    session.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    transport.onmessage = (message) => session.fromClient(message);
    transport.onclose = () => void session.close();
    await session.start();
    await transport.handleRequest(req, res, body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new InputError('LISTEN_FAILED', `The proxy cannot listen on ${options.host ?? '127.0.0.1'}:${options.port}: ${err.message}. Choose another --listen address.`, { cause: err })));
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as { port: number; address: string };
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  if (LOOPBACK.has(options.host ?? '127.0.0.1')) allowedHosts = new Set(['127.0.0.1', 'localhost', '[::1]'].map((h) => `${h}:${address.port}`));
  return {
    url: `http://${host}:${address.port}${path}`,
    sessionCount: () => sessions.size,
    close: async () => {
      await Promise.allSettled([...sessions.values()].map(({ session }) => session.close()));
      await closeServer(server);
    },
  };
}

/** Bind addresses that only local processes (and, through DNS rebinding, web pages) can reach. */
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

async function readBody(req: IncomingMessage, maxBytes = 4 * 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new InputError('REQUEST_TOO_LARGE', `a request body over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: `toolseal proxy: ${message}` } }));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
