import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CaptureError, ToolsealError } from '../errors.js';
import { captureLimits, type CaptureLimits } from '../manifest/capture/options.js';
import type { PageRequest } from '../manifest/capture/pages.js';
import { LIST_NAMES, listOfMethod, listsChangedBy, type ListName } from '../manifest/lists.js';
import { StrictStdioClientTransport } from '../manifest/capture/strict-stdio.js';
import { NULL_AUDIT_SINK, type AuditRecord, type AuditSink } from './audit.js';
import type { ListsDecision } from './decide.js';
import { disownServerError, SessionRefusedError } from './errors.js';
import { EarlyRequests } from './early-requests.js';
import { RefreshQueue } from './refresh-queue.js';
import { decideAndReport, type DecisionSink } from './report-decision.js';
import { RequestLedger } from './requests.js';
import { calledEntry, errorResponse, kindOf, resultResponse, type RpcId, type RpcMessage } from './rpc.js';
import type { ClientPeer, GuardOptions } from './session-options.js';
import { ExposureState, type SessionFacts } from './exposure.js';
import { asRecord, initializeFacts, signedInitializeResult } from './initialize-result.js';
import { notVerifiedReply, refusalMessage, refusedReply, upstreamFailedReply } from './replies.js';
import type { Denial } from './view.js';

export type { AttestationResolver, ClientPeer, GuardOptions } from './session-options.js';

/** Most messages held per direction until the client is in; more is a flood, not a handshake. */
const MAX_HELD = 1000;
let sessionCounter = 0;

/**
 * The message-level core of connect-time enforcement, between a client and an upstream
 * MCP server. It forwards the client's `initialize`, then, before answering it, reads every
 * page of every list itself (requests with ids from the guard's own counter: every request
 * sent upstream gets a fresh id, so the client's ids never collide with the guard's), verifies
 * them against the signed manifest and only then lets the client in. Afterwards it answers
 * list requests from a fresh, verified read; refuses calls to entries it does not expose;
 * re-verifies on every `list_changed` before forwarding it; and passes everything else
 * through, mapping ids both ways. See docs/proxy.md.
 */
export class GuardSession {
  /** Called once, when the session has closed (for any reason). */
  onclose?: (reason?: Error) => void;
  /** Called with non-fatal problems (a message that could not be delivered). */
  onerror?: (err: Error) => void;
  private state: 'new' | 'initializing' | 'ready' | 'refused' | 'closed' = 'new';
  private readonly requests = new RequestLedger();
  private readonly waiting: RpcMessage[] = [];
  private readonly upstreamWaiting: RpcMessage[] = [];
  private readonly limits: CaptureLimits;
  private readonly sessionId: string;
  private readonly audit: AuditSink;
  private readonly refreshes = new RefreshQueue((lists) => this.recapture(lists), (err) => this.onerror?.(err));
  private exposure: ExposureState | undefined;
  private readonly early: EarlyRequests;
  private droppedHeld = 0;
  private facts: SessionFacts | undefined;
  private capabilities: Record<string, unknown> = {};
  private initClientId: RpcId | undefined;
  private clientCapabilities: Record<string, unknown> = {};

  constructor(private readonly upstream: Transport, private readonly client: ClientPeer, private readonly options: GuardOptions) {
    this.limits = captureLimits(options.limits);
    this.sessionId = options.sessionId ?? `s${++sessionCounter}`;
    this.audit = options.audit ?? NULL_AUDIT_SINK;
    // A quarter of the list timeout each: the server's list answer waits for these, so a
    // few unanswered ones in a row must still leave it time to answer within its own bound.
    this.early = new EarlyRequests(Math.ceil(this.limits.requestTimeoutMs / 4), (id, method, ms) => {
      this.toUpstream(errorResponse(id, -32001, `toolseal: the client did not answer ${method} within ${ms} ms while the server's lists were being verified.`) as RpcMessage);
    });
    upstream.onmessage = (message) => this.fromUpstream(message);
    // toolseal's own refusal of what the server sent (e.g. SERVER_JSON_INVALID from the
    // strict stdio transport, which then closes) is the reason the session ends.
    let refusal: ToolsealError | undefined;
    upstream.onclose = () => void this.close(refusal ?? new CaptureError('UPSTREAM_CLOSED', `The server ${this.serverName()} closed the connection.`));
    upstream.onerror = (err) => {
      if (err instanceof ToolsealError) refusal ??= err;
      this.onerror?.(err);
    };
    // A skipped stdout line (not JSON) is said on the log and kept in the audit log.
    if (upstream instanceof StrictStdioClientTransport) {
      upstream.onnote = (note) => {
        this.options.log?.(`toolseal: ${note}`);
        this.record({ event: 'server-output', decision: 'skipped', reason: note });
      };
    }
  }

  /** Starts the upstream transport (spawns a stdio server, or prepares the HTTP client). */
  async start(): Promise<void> {
    await this.upstream.start();
  }

  /** The current decision, once the first verification ran. */
  get decision(): ListsDecision | undefined {
    return this.exposure?.decision;
  }

  /** Handles one message from the client. Never throws; answers the client when it refuses. */
  fromClient(message: JSONRPCMessage): void {
    const msg = message as RpcMessage;
    if (this.state === 'closed') return;
    const kind = kindOf(msg);
    if (kind === 'response') return this.early.settle(msg.id) ? this.toUpstream(msg) : undefined;
    if (kind === 'notification') return this.clientNotification(msg);
    if (this.state === 'refused') return this.replyRefused(msg.id!);
    if (msg.method === 'initialize') {
      if (this.state === 'new') return this.forwardInitialize(msg);
      // A second initialize would rebuild what was verified; the session is already set up.
      return this.toClient(errorResponse(msg.id!, -32600, 'toolseal: this session is already initialized; open a new session to initialize again.'));
    }
    if (this.state !== 'ready') return this.hold(this.waiting, msg);
    if (this.refreshes.busy) return void this.refreshes.idle().then(() => this.routeIfReady(msg));
    this.route(msg);
  }

  /** Closes both sides once. Pending client requests are answered with an error first. */
  async close(reason?: Error): Promise<void> {
    if (this.state === 'closed') return;
    const refused = this.state === 'refused';
    const initializing = this.state === 'initializing';
    this.state = 'closed';
    this.early.clear();
    this.requests.rejectInternal(reason ?? new CaptureError('SESSION_CLOSED', 'The session closed.'));
    const why = reason?.message ?? 'the session closed';
    // Every client request still open gets an answer, the held initialize and the queued ones too.
    const open = [...this.requests.pendingClientIds(), ...this.waiting.splice(0).flatMap((m) => (m.id !== undefined ? [m.id] : []))];
    if (initializing && this.initClientId !== undefined) open.push(this.initClientId);
    for (const id of new Set(open)) this.toClient(upstreamFailedReply(id, this.serverName(), `the request cannot complete: ${why}`, why));
    this.requests.clearClientRequests();
    this.record({ event: 'session', decision: refused ? 'refused' : 'closed', reason: why });
    await Promise.allSettled([this.upstream.close(), this.client.close()]);
    this.onclose?.(reason);
  }

  private routeIfReady(msg: RpcMessage): void {
    if (this.state === 'ready') this.route(msg);
    else if (this.state === 'refused') this.replyRefused(msg.id!);
  }

  private route(msg: RpcMessage): void {
    if (listOfMethod(msg.method)) return void this.answerList(msg);
    const denial = this.exposure!.view.checkRequest(msg.method, msg.params ?? {});
    if (denial === null) return this.forward(msg);
    this.guarded(msg, denial);
  }

  private guarded(msg: RpcMessage, denial: Denial | undefined): void {
    if (denial === undefined) {
      if (this.options.auditAllowedCalls) this.record({ event: 'call', decision: 'allow', entry: calledEntry(msg), reason: 'verified' });
      return this.forward(msg);
    }
    const entry = `${denial.list}/${denial.key}`;
    if (this.exposure!.settings.enforce === 'warn') {
      this.record({ event: 'call', decision: 'allow', entry, code: denial.code, reason: `enforce: warn, although ${denial.reason}` });
      return this.forward(msg);
    }
    this.record({ event: 'call', decision: 'refuse', entry, code: denial.code, reason: denial.reason });
    this.toClient(notVerifiedReply(msg.id!, this.serverName(), denial));
  }

  private async answerList(msg: RpcMessage): Promise<void> {
    const { name: list, resultKey } = listOfMethod(msg.method)!;
    if (msg.params?.cursor !== undefined) {
      return this.toClient(errorResponse(msg.id!, -32602, 'toolseal serves every list in one page; there is no next page.'));
    }
    this.requests.addLocal(msg.id!);
    await this.refreshes.refresh([list]);
    if (!this.requests.takeLocal(msg.id!) || this.state !== 'ready') return;
    const failure = this.exposure!.failure(list);
    if (failure !== undefined && this.exposure!.settings.enforce !== 'warn') {
      const reason = `${msg.method} could not be read from the server: ${failure}`;
      return this.toClient(upstreamFailedReply(msg.id!, this.serverName(), reason, reason));
    }
    this.toClient(resultResponse(msg.id!, { [resultKey]: this.exposure!.view.lists[list] }));
  }

  private clientNotification(msg: RpcMessage): void {
    if (msg.method === 'notifications/initialized') return; // the guard sent its own before reading the lists
    if (this.state !== 'ready') return this.hold(this.waiting, msg);
    if (msg.method === 'notifications/cancelled') {
      const upstreamId = this.requests.upstreamIdOf(msg.params?.requestId as RpcId);
      if (upstreamId === undefined) return; // answered locally, or already done
      return this.toUpstream({ ...msg, params: { ...msg.params, requestId: upstreamId } });
    }
    this.toUpstream(msg);
  }

  private forwardInitialize(msg: RpcMessage): void {
    this.state = 'initializing';
    this.initClientId = msg.id;
    this.clientCapabilities = asRecord(msg.params?.capabilities);
    this.forward(msg);
  }

  private forward(msg: RpcMessage): void {
    this.toUpstream({ ...msg, id: this.requests.forward(msg) });
  }

  private fromUpstream(message: JSONRPCMessage): void {
    const msg = message as RpcMessage;
    if (this.state === 'closed' || this.state === 'refused') return;
    const kind = kindOf(msg);
    if (kind === 'response') return this.upstreamResponse(msg);
    if (kind === 'request' && this.state === 'initializing') return this.forwardEarly(msg);
    if (this.state !== 'ready') return this.hold(this.upstreamWaiting, msg);
    if (kind === 'request') return this.toClient(msg);
    const lists = listsChangedBy(msg.method);
    if (lists.length > 0) return this.afterRefresh(msg, lists);
    if (msg.method === 'notifications/progress') {
      return this.toClient(msg, this.requests.clientIdOfProgress(msg.params?.progressToken as string | number));
    }
    this.toClient(msg);
  }

  /**
   * A server request while the lists are read goes to the client now (see `EarlyRequests`):
   * holding it could deadlock a server that asks for roots before it answers `tools/list`.
   * The client has declared its capabilities in the `initialize` already forwarded.
   */
  private forwardEarly(msg: RpcMessage): void {
    this.early.track(msg.id!, msg.method!);
    this.toClient(msg);
  }

  /**
   * Holds a message until the client is in, at most {@link MAX_HELD} per direction: beyond
   * that a request is answered with an error and a notification dropped (and counted in the
   * audit log), so a flood before the handshake ends cannot grow memory without bound.
   */
  private hold(queue: RpcMessage[], msg: RpcMessage): void {
    if (queue.length < MAX_HELD) return void queue.push(msg);
    const fromClient = queue === this.waiting;
    if (fromClient && msg.id !== undefined) {
      return this.toClient(errorResponse(msg.id, -32000, `toolseal: more than ${MAX_HELD} messages arrived before the server's lists were verified; send them after initialize completes.`));
    }
    if (fromClient && msg.id === undefined) return;
    if (++this.droppedHeld === 1) this.record({ event: 'session', decision: 'dropped', reason: `the server sent more than ${MAX_HELD} messages before its lists were verified; later ones were dropped` });
  }

  /** Re-verifies, then forwards the `list_changed` once per refresh, however many arrived meanwhile. */
  private afterRefresh(msg: RpcMessage, lists: ListName[]): void {
    this.refreshes.refreshOnce(msg.method!, lists, () => {
      if (this.state === 'ready') this.toClient(msg);
    });
  }

  private upstreamResponse(msg: RpcMessage): void {
    if (this.requests.settleInternal(msg)) return;
    const pending = this.requests.takeForwarded(msg);
    if (pending === undefined) return; // an answer to nothing the guard asked: dropped
    if (pending.method === 'initialize') return void this.completeInitialize(msg, pending.clientId);
    const error = msg.error ? { error: disownServerError(msg.error) } : {};
    this.toClient({ ...msg, ...error, id: pending.clientId }, pending.clientId);
  }

  private async completeInitialize(msg: RpcMessage, clientId: RpcId): Promise<void> {
    if (msg.error || !msg.result) {
      this.state = 'new';
      return this.toClient({ ...msg, ...(msg.error ? { error: noLegacyEra(disownServerError(msg.error), this.serverName()) } : {}), id: clientId });
    }
    const result = msg.result;
    ({ capabilities: this.capabilities, facts: this.facts } = initializeFacts(result, this.clientCapabilities));
    this.upstream.setProtocolVersion?.(this.facts.protocolVersion);
    this.toUpstream({ jsonrpc: '2.0', method: 'notifications/initialized' });
    try {
      const source = this.options.attestation;
      this.exposure = new ExposureState(typeof source === 'function' ? await source(result) : source, this.options.settings);
    } catch (err) {
      return this.refuse(`the signed manifest could not be obtained: ${(err as Error).message}`);
    }
    this.record({ event: 'session', decision: 'open', digest: this.exposure.attestation.digest, reason: `verifying against the manifest signed for ${this.exposure.attestation.manifest.server.name}` });
    await this.recapture([...LIST_NAMES]);
    if (this.state !== 'initializing') return;
    this.toClient(resultResponse(clientId, signedInitializeResult(result, this.exposure)));
    this.state = 'ready';
    for (const waiting of this.waiting.splice(0)) this.fromClient(waiting as JSONRPCMessage);
    for (const waiting of this.upstreamWaiting.splice(0)) this.fromUpstream(waiting as JSONRPCMessage);
  }

  private async recapture(lists: ListName[]): Promise<void> {
    const exposure = this.exposure!;
    const note = (reason: string) => this.record({ event: 'verify', decision: 'note', reason });
    await exposure.read(lists, this.request, this.capabilities, { server: this.serverName(), limits: this.limits }, note);
    if (this.state !== 'ready' && this.state !== 'initializing') return;
    decideAndReport(exposure, this.facts!, this.decisionSink());
  }

  private readonly request: PageRequest = (method, params) => {
    if (this.state === 'closed') return Promise.reject(new CaptureError('SESSION_CLOSED', 'The session closed.'));
    return this.requests.ask(method, this.limits.requestTimeoutMs, (id) => this.toUpstream({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }));
  };

  private refuse(reason: string): void {
    if (this.state === 'closed' || this.state === 'refused') return;
    const initializing = this.state === 'initializing';
    this.state = 'refused';
    const message = refusalMessage(this.serverName(), this.enforceMode(), reason);
    this.options.log?.(message);
    if (initializing && this.initClientId !== undefined) this.replyRefused(this.initClientId, reason);
    for (const id of [...this.requests.pendingClientIds()]) this.replyRefused(id, reason);
    for (const waiting of this.waiting.splice(0)) if (waiting.id !== undefined) this.replyRefused(waiting.id, reason);
    this.requests.clearClientRequests();
    void this.close(new SessionRefusedError(this.serverName(), message));
  }

  private replyRefused(id: RpcId, reason = 'the server was refused earlier in this session'): void {
    this.toClient(refusedReply(id, this.serverName(), this.enforceMode(), reason));
  }

  private enforceMode(): string {
    return this.options.settings?.enforce ?? 'block';
  }

  private toUpstream(msg: RpcMessage): void {
    this.upstream.send(msg as JSONRPCMessage).catch((err: Error) => this.onerror?.(err));
  }

  private toClient(msg: RpcMessage | JSONRPCMessage, related?: RpcId): void {
    this.client.send(msg as JSONRPCMessage, related === undefined ? undefined : { relatedRequestId: related }).catch((err: Error) => this.onerror?.(err));
  }

  /** How this guard reports its decisions (see {@link decideAndReport}). */
  private decisionSink(): DecisionSink {
    return {
      serverName: this.serverName(),
      record: (fields) => this.record(fields),
      log: this.options.log,
      onDecision: this.options.onDecision,
      refuse: (reason) => this.refuse(reason),
    };
  }

  private record(fields: Omit<AuditRecord, 'time' | 'server' | 'session'>): void {
    const enforce = this.exposure?.settings.enforce;
    this.audit.write({ time: new Date().toISOString(), server: this.serverName(), session: this.sessionId, ...(enforce ? { enforce } : {}), ...fields });
  }

  private serverName(): string {
    if (this.exposure) return this.exposure.attestation.manifest.server.name;
    const info = this.facts?.serverInfo as { name?: unknown } | undefined;
    // Before the server's initialize answer (a server that dies at start), its command names it.
    return typeof info?.name === 'string' ? info.name : this.options.serverLabel ?? 'the upstream server';
  }
}

/**
 * A modern-only server answers `initialize` with the versions it does support: say so in
 * words a 2025-era client's user can act on (the code and data stay the server's).
 */
function noLegacyEra(error: NonNullable<RpcMessage['error']>, server: string): NonNullable<RpcMessage['error']> {
  const supported = (error.data as { supported?: unknown } | undefined)?.supported;
  if (!Array.isArray(supported)) return error;
  const versions = supported.filter((v): v is string => typeof v === 'string').slice(0, 8).join(', ');
  return { ...error, message: `toolseal: the server ${server} does not speak this client's protocol version (it answered initialize: ${String(error.message).slice(0, 200)}); it supports ${versions}: connect with a client that speaks one of them.` };
}
