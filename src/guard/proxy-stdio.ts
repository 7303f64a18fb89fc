import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CaptureError } from '../errors.js';
import { LineWriter } from '../manifest/capture/lines.js';
import { captureLimits, describeTarget, type ServerTarget } from '../manifest/capture/options.js';
import { StrictStdioClientTransport } from '../manifest/capture/strict-stdio.js';
import { escapeTerminal } from '../io/terminal.js';
import { isModernMessage } from '../protocol/wire.js';
import { ModernGuard, type ModernGuardOptions } from './modern/guard.js';
import { isModernDiscoverAnswer } from '../protocol/era.js';
import { modernUpstreamFor } from './modern/connect.js';
import { ModernRequests } from './modern/requests.js';
import { ClientStdioReader } from './client-stdio.js';
import { kindOf, type RpcMessage } from './rpc.js';
import { GuardSession, type GuardOptions } from './session.js';
import { upstreamTransport, type UpstreamOptions } from './upstream.js';

/** What the log says of each kind of error reading the client. */
const CLIENT_ERRORS = {
  line: 'skipped a line from the MCP client',
  message: 'a message from the MCP client could not be handled',
  stream: 'reading from the MCP client failed',
} as const;

/** How a proxy session ended. */
export interface ProxyEnd {
  /** `client`: the client went away (or `signal` stopped the proxy), or sent what the proxy cannot take (then `error`, e.g. `CLIENT_MESSAGE_TOO_LARGE`); `refused`: enforce block refused the server; `upstream`: the server ended or failed. */
  reason: 'client' | 'refused' | 'upstream';
  error?: Error;
}

/** Options of {@link runStdioProxy}. */
export interface StdioProxyOptions extends GuardOptions, UpstreamOptions, Pick<ModernGuardOptions, 'verifyCache'> {
  upstream: ServerTarget;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  /** Aborting ends the session (SIGTERM in the CLI): the server is ended, the promise resolves with `client`. */
  signal?: AbortSignal;
}

/**
 * Runs one guarded session between this process's stdin/stdout (the MCP client) and the
 * upstream server, and resolves when it ends. When stdin ends (the client went away),
 * stdout fails (EPIPE: the client is gone) or `signal` aborts, the upstream is closed and
 * its process group ended, so a spawned server never outlives the proxy's client.
 *
 * The client's first message decides the era: `initialize` is the 2025 era (a
 * {@link GuardSession}); `server/discover` or a request with a 2026-07-28 `_meta` is the
 * modern era (a {@link ModernGuard}). A `server/discover` the upstream does not answer as a
 * modern server is answered with its error and decides nothing, so a dual-era client that
 * probes in place can still fall back to `initialize`.
 */
export async function runStdioProxy(options: StdioProxyOptions): Promise<ProxyEnd & { session?: GuardSession }> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  // The client is read strictly, so what passes unchanged is forwarded as the bytes it came
  // in (see readClientLine); writes go through a LineWriter, which joins the messages of one
  // event-loop turn into one write (the SDK writes each one by itself).
  const downstream = new ClientStdioReader(stdin, captureLimits(options.limits).maxListBytes + 1024 * 1024);
  const toClient = new LineWriter(stdout);
  const router = new EraRouter(options, toClient, async () => downstream.close(), (full) => downstream.hold(full));
  downstream.onmessage = (message) => router.fromClient(message as RpcMessage);
  // As the SDK's transport did: a line that is no JSON-RPC message is skipped; now it is also said.
  downstream.onerror = (err, what) => options.log?.(`toolseal: ${CLIENT_ERRORS[what]}: ${escapeTerminal(err.message)}`);
  downstream.ontoolong = (err) => void router.end({ reason: 'client', error: err });
  const clientClosed = (): void => void router.end({ reason: 'client' });
  stdin.once('end', clientClosed);
  stdin.once('close', clientClosed);
  // EPIPE: the client closed its end of our stdout; nothing more can reach it.
  stdout.on('error', clientClosed);
  options.signal?.addEventListener('abort', clientClosed, { once: true });
  if (options.signal?.aborted) clientClosed();
  try {
    await router.start();
  } catch (err) {
    await router.end({ reason: 'upstream', error: err as Error });
    return router.ended;
  }
  downstream.start();
  return router.ended;
}

/** Routes one stdio client to the guard of its era and ends everything once. */
class EraRouter {
  readonly ended: Promise<ProxyEnd & { session?: GuardSession }>;
  private resolveEnd!: (end: ProxyEnd & { session?: GuardSession }) => void;
  private era: 'undecided' | 'probing' | 'modern' | 'legacy' = 'undecided';
  private session: GuardSession | undefined;
  private modern: ModernGuard | undefined;
  private raw: Transport | undefined;
  private done = false;
  private readonly held: RpcMessage[] = [];
  private readonly requests = new ModernRequests((m) => this.send(m));

  constructor(
    private readonly options: StdioProxyOptions,
    private readonly toClient: LineWriter,
    private readonly closeClient: () => Promise<void>,
    /** The server's stdin is full (true) or drained (false): the client is read meanwhile or not. */
    private readonly upstreamFull: (full: boolean) => void,
  ) {
    this.ended = new Promise((resolve) => { this.resolveEnd = resolve; });
  }

  /** Spawns a stdio server now (so a failed launch fails at once); an HTTP upstream is reached per era. */
  async start(): Promise<void> {
    if (this.options.upstream.kind !== 'stdio') return;
    const raw = upstreamTransport(this.options.upstream, this.options);
    this.raw = raw;
    if (raw instanceof StrictStdioClientTransport) raw.onbackpressure = this.upstreamFull;
    raw.onclose = () => void this.end({ reason: 'upstream', error: new CaptureError('UPSTREAM_CLOSED', `The server ${describeTarget(this.options.upstream)} closed the connection.`) });
    await raw.start();
    // The legacy session starts its upstream itself: this one already runs.
    raw.start = async () => {};
  }

  fromClient(msg: RpcMessage): void {
    if (this.done) return;
    if (this.era === 'legacy') return this.session!.fromClient(msg as JSONRPCMessage);
    if (this.era === 'modern') return this.requests.take(this.modern!, msg);
    if (this.era === 'probing') return void this.held.push(msg);
    if (kindOf(msg) === 'request' && isModernMessage(msg)) return this.probe(msg);
    this.legacy(msg);
  }

  async end(end: ProxyEnd): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.requests.abortAll();
    const closing: Promise<unknown>[] = [this.closeClient()];
    if (this.session) closing.push(this.session.close(end.error));
    if (this.modern) closing.push(this.modern.close());
    if (this.raw) closing.push(this.raw.close());
    await Promise.allSettled(closing);
    this.resolveEnd({ ...end, ...(this.session ? { session: this.session } : {}) });
  }

  /** The first modern request: its answer shows whether the upstream speaks the modern era. */
  private probe(msg: RpcMessage): void {
    const guard = this.modernGuard();
    if (msg.method !== 'server/discover') {
      // A request with a modern _meta decides the era; only a discover probe may fail over to initialize.
      this.era = 'modern';
      return void this.requests.answer(guard, msg);
    }
    this.era = 'probing';
    void this.requests.answer(guard, msg).then((answer) => {
      if (this.done) return;
      this.era = isModernDiscoverAnswer(answer) ? 'modern' : 'undecided';
      for (const held of this.held.splice(0)) this.fromClient(held);
    });
  }

  private modernGuard(): ModernGuard {
    if (this.modern) return this.modern;
    const closed = (): void => void this.end({ reason: 'upstream', error: new CaptureError('UPSTREAM_CLOSED', `The server ${describeTarget(this.options.upstream)} closed the connection.`) });
    const { upstream, onUnrelated } = modernUpstreamFor(this.options.upstream, this.raw, { ...this.options, onClose: closed });
    onUnrelated((n) => this.send(n));
    const guard = new ModernGuard(upstream, this.options);
    guard.onRefused = (error) => {
      // Answer what is in flight with the refusal (the guard does), then end as a refused session.
      setImmediate(() => void this.end({ reason: 'refused', error }));
    };
    this.modern = guard;
    return guard;
  }

  private legacy(msg: RpcMessage): void {
    this.era = 'legacy';
    const raw = this.raw ?? upstreamTransport(this.options.upstream, this.options);
    this.raw = raw;
    const session = new GuardSession(raw, { send: (message) => this.toClient.send(message), close: () => this.closeClient() }, { serverLabel: describeTarget(this.options.upstream), ...this.options });
    this.session = session;
    session.onclose = (error) => {
      const reason = this.done ? 'client' : error?.name === 'SessionRefusedError' ? 'refused' : 'upstream';
      void this.end({ reason, ...(error && reason !== 'client' ? { error } : {}) });
    };
    if (this.options.upstream.kind === 'stdio') {
      session.fromClient(msg as JSONRPCMessage);
      return;
    }
    void session.start().then(() => session.fromClient(msg as JSONRPCMessage), (err: Error) => void this.end({ reason: 'upstream', error: err }));
  }

  private send(message: RpcMessage): void {
    this.toClient.send(message as JSONRPCMessage).catch(() => undefined);
  }
}
