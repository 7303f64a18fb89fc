import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a route handler answers: a status, a body and its content type. */
export interface RouteResponse {
  status: number;
  body: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A request as a route handler sees it: method, URL (with query) and the whole body. */
export interface RouteRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** Answers one request, or `undefined` when the route does not apply (404). */
export type RouteHandler = (req: RouteRequest) => Promise<RouteResponse | undefined>;

/** A running loopback HTTP server. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/** Largest request body accepted; the local services never need more. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Starts a `node:http` server on 127.0.0.1 with an ephemeral port.
 * Every response carries `Connection: close`: sigstore-js fetches through a keep-alive
 * agent, and lingering sockets would keep `close()` (and the test process) waiting.
 */
export async function startLoopbackServer(handler: RouteHandler): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    void serve(handler, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function serve(handler: RouteHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let answer: RouteResponse | undefined;
  try {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    answer = await handler({ method: req.method ?? 'GET', url, headers: req.headers, body });
  } catch (err) {
    answer = jsonError(500, `internal error: ${(err as Error).message}`);
  }
  answer ??= jsonError(404, `no route for ${req.method} ${req.url}`);
  res.writeHead(answer.status, {
    'Content-Type': answer.contentType ?? 'application/json',
    Connection: 'close',
    ...answer.headers,
  });
  res.end(answer.body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A JSON error body shaped like the Sigstore services' (`{code, message}`), which sigstore-js surfaces. */
export function jsonError(status: number, message: string): RouteResponse {
  return { status, body: JSON.stringify({ code: status, message }), contentType: 'application/json' };
}

/** A JSON success body. */
export function jsonResponse(status: number, value: unknown, headers?: Record<string, string>): RouteResponse {
  return { status, body: JSON.stringify(value), contentType: 'application/json', ...(headers ? { headers } : {}) };
}
