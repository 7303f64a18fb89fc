import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describeTarget, type ServerTarget } from '../../manifest/capture/options.js';
import type { RpcMessage } from '../rpc.js';
import { GuardSession, type GuardOptions } from '../session.js';
import { upstreamTransport, type UpstreamOptions } from '../upstream.js';
import { checkPostHeaders, HttpRefusal, readStrictBody } from './messages.js';

/** Options of the 2025-era route: the guard's, the upstream's and the proxy's bounds. */
export interface LegacyRouteOptions extends GuardOptions, UpstreamOptions {
  upstream: ServerTarget;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Most sessions open at once; more are refused with 503. Default 32. */
  maxSessions?: number;
  /** A session without a request for this long is closed. Default 10 minutes. */
  idleTimeoutMs?: number;
}

interface LegacySession { transport: StreamableHTTPServerTransport; session: GuardSession; idle?: NodeJS.Timeout }

/**
 * The HTTP proxy's 2025-era route: a session per `initialize`, each with its own
 * {@link GuardSession} and upstream, closed on DELETE, when idle, when the upstream ends,
 * or when the proxy stops. At most `maxSessions` are open at once.
 */
export class LegacyRoute {
  private readonly sessions = new Map<string, LegacySession>();
  private counter = 0;

  constructor(private readonly options: LegacyRouteOptions) {}

  /** 2025-era sessions currently open. */
  get size(): number {
    return this.sessions.size;
  }

  /** Serves a request of an open session (POST, GET or DELETE). */
  async handle(req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> {
    const open = this.sessions.get(sessionId);
    if (!open) throw new HttpRefusal(404, 'unknown or closed session');
    this.touch(sessionId, open);
    if (req.method !== 'POST') return open.transport.handleRequest(req, res);
    checkPostHeaders(req);
    const body = await readStrictBody(req, this.options.maxBodyBytes);
    return open.transport.handleRequest(req, res, body);
  }

  /** Opens a session for an `initialize` request (its upstream spawned) and answers it. */
  async open(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const max = this.options.maxSessions ?? 32;
    const id = (body as RpcMessage).id ?? null;
    if (this.sessions.size >= max) throw new HttpRefusal(503, `${max} sessions are open, the most this proxy serves (--max-sessions); close one or try later`, -32000, id);
    const { transport, session } = this.newSession();
    try {
      await session.start();
    } catch (err) {
      await session.close(err as Error);
      throw new HttpRefusal(502, `the server could not be started: ${(err as Error).message}`, -32000, id);
    }
    await transport.handleRequest(req, res, body);
    // The SDK may still refuse the initialize (a header it checks): then no session exists
    // for the spawned upstream, which must not outlive this request.
    if (transport.sessionId === undefined || !this.sessions.has(transport.sessionId)) await session.close();
  }

  /** Closes every session and its upstream. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.sessions.values()].map(({ session }) => session.close()));
  }

  /** A guard session and its HTTP transport, wired to each other and to the session table. */
  private newSession(): LegacySession {
    const options = this.options;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        const entry = { transport, session };
        this.sessions.set(id, entry);
        this.touch(id, entry);
      },
    });
    const session = new GuardSession(upstreamTransport(options.upstream, options), {
      send: (message, sendOptions) => transport.send(message, sendOptions?.relatedRequestId !== undefined ? { relatedRequestId: sendOptions.relatedRequestId } : undefined),
      close: () => transport.close(),
    }, { serverLabel: describeTarget(options.upstream), ...options, sessionId: options.sessionId ?? `http-${++this.counter}` });
    session.onclose = () => {
      const id = transport.sessionId;
      if (id) {
        clearTimeout(this.sessions.get(id)?.idle);
        this.sessions.delete(id);
      }
    };
    transport.onmessage = (message) => session.fromClient(message as JSONRPCMessage);
    transport.onclose = () => void session.close();
    return { transport, session };
  }

  private touch(id: string, entry: LegacySession): void {
    clearTimeout(entry.idle);
    const idle = this.options.idleTimeoutMs ?? 10 * 60_000;
    entry.idle = setTimeout(() => {
      this.options.log?.(`toolseal proxy: closed session ${id.slice(0, 8)}…, idle for ${idle} ms`);
      void entry.session.close();
    }, idle);
    entry.idle.unref();
  }
}
