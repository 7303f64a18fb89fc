import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CaptureError } from '../errors.js';
import { captureLimits, type CaptureLimits } from '../manifest/capture/options.js';
import type { PageRequest } from '../manifest/capture/pages.js';
import { withId } from '../manifest/capture/verbatim.js';
import { LIST_NAMES, listOfMethod, listsChangedBy, type ListName } from '../manifest/lists.js';
import { NULL_AUDIT_SINK, type AuditSink } from './audit.js';
import type { ListsDecision } from './decide.js';
import { disownServerError, SessionRefusedError } from './errors.js';
import { RefreshQueue } from './refresh-queue.js';
import { decideAndReport, decisionSink, reportDenial, type GuardRecord } from './report-decision.js';
import { RequestLedger } from './requests.js';
import { watchUpstream } from './upstream.js';
import { calledEntry, errorResponse, kindOf, resultResponse, type RpcId, type RpcMessage } from './rpc.js';
import type { ClientPeer, GuardOptions } from './session-options.js';
import { ExposureState, type SessionFacts } from './exposure.js';
import { HeldMessages } from './held-messages.js';
import { asRecord, initializeFacts, noLegacyEra, signedInitializeResult } from './initialize-result.js';
import { noNextPageReply, notVerifiedReply, refusalMessage, refusedReply, upstreamFailedReply } from './replies.js';
import type { Denial } from './view.js';

export type { AttestationResolver, ClientPeer, GuardOptions } from './session-options.js';

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
  private readonly limits: CaptureLimits;
  private readonly sessionId: string;
  private readonly audit: AuditSink;
  private readonly refreshes = new RefreshQueue((lists) => this.recapture(lists), (err) => this.onerror?.(err));
  private exposure: ExposureState | undefined;
  private readonly held: HeldMessages;
  private facts: SessionFacts | undefined;
  private capabilities: Record<string, unknown> = {};
  private initClientId: RpcId | undefined;
  private clientCapabilities: Record<string, unknown> = {};

  constructor(private readonly upstream: Transport, private readonly client: ClientPeer, private readonly options: GuardOptions) {
    this.limits = captureLimits(options.limits);
    this.sessionId = options.sessionId ?? `s${++sessionCounter}`;
    this.audit = options.audit ?? NULL_AUDIT_SINK;
    this.held = new HeldMessages(this.limits.requestTimeoutMs, { toClient: (m) => this.toClient(m), toUpstream: (m) => this.toUpstream(m), record: (f) => this.record(f) });
    watchUpstream(upstream, {
      message: (message) => this.fromUpstream(message),
      closed: (refusal) => void this.close(refusal ?? new CaptureError('UPSTREAM_CLOSED', `The server ${this.serverName()} closed the connection.`)),
      error: (err) => this.onerror?.(err),
      // A skipped stdout line (not JSON) is said on the log and kept in the audit log.
      note: (note) => {
        this.options.log?.(`toolseal: ${note}`);
        this.record({ event: 'server-output', decision: 'skipped', reason: note });
      },
    });
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
    if (kind === 'response') return this.held.settle(msg.id) ? this.toUpstream(msg) : undefined;
    if (kind === 'notification') return this.clientNotification(msg);
    if (this.state === 'refused') return this.replyRefused(msg.id!);
    if (msg.method === 'initialize') {
      if (this.state === 'new') return this.forwardInitialize(msg);
      // A second initialize would rebuild what was verified; the session is already set up.
      return this.toClient(errorResponse(msg.id!, -32600, 'toolseal: this session is already initialized; open a new session to initialize again.'));
    }
    if (this.state !== 'ready') return this.held.holdFromClient(msg);
    if (this.refreshes.busy) return void this.refreshes.idle().then(() => this.routeIfReady(msg));
    this.route(msg);
  }

  /** Closes both sides once. Pending client requests are answered with an error first. */
  async close(reason?: Error): Promise<void> {
    if (this.state === 'closed') return;
    const refused = this.state === 'refused';
    const initializing = this.state === 'initializing';
    this.state = 'closed';
    this.held.clear();
    this.requests.rejectInternal(reason ?? new CaptureError('SESSION_CLOSED', 'The session closed.'));
    const why = reason?.message ?? 'the session closed';
    for (const id of this.takeOpenClientIds(initializing)) this.toClient(upstreamFailedReply(id, this.serverName(), `the request cannot complete: ${why}`, why));
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
    if (!reportDenial(denial, this.exposure!.settings.enforce === 'warn', (fields) => this.record(fields))) return this.forward(msg);
    this.toClient(notVerifiedReply(msg.id!, this.serverName(), denial));
  }

  private async answerList(msg: RpcMessage): Promise<void> {
    const { name: list, resultKey } = listOfMethod(msg.method)!;
    if (msg.params?.cursor !== undefined) return this.toClient(noNextPageReply(msg.id!));
    this.requests.addLocal(msg.id!);
    await this.refreshes.refresh([list]);
    if (!this.requests.takeLocal(msg.id!) || this.state !== 'ready') return;
    const unservable = this.exposure!.unservable(list, msg.method!);
    if (unservable !== undefined) return this.toClient(upstreamFailedReply(msg.id!, this.serverName(), unservable, unservable));
    this.toClient(resultResponse(msg.id!, { [resultKey]: this.exposure!.view.lists[list] }));
  }

  private clientNotification(msg: RpcMessage): void {
    if (msg.method === 'notifications/initialized') return; // the guard sent its own before reading the lists
    if (this.state !== 'ready') return this.held.holdFromClient(msg);
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
    // Under the guard's own id; verbatim when the client's line was read strictly (see withId).
    const id = this.requests.forward(msg);
    this.upstream.send(withId(msg, id) as JSONRPCMessage).catch((err: Error) => {
      // Not sent (a value nested too deep to serialize, the server gone): answered, not left waiting.
      if (this.requests.takeForwarded(id) === undefined) return;
      const why = `the request could not be sent to the server (${err.message})`;
      this.toClient(upstreamFailedReply(msg.id!, this.serverName(), why, why), msg.id);
    });
  }

  private fromUpstream(message: JSONRPCMessage): void {
    const msg = message as RpcMessage;
    if (this.state === 'closed' || this.state === 'refused') return;
    const kind = kindOf(msg);
    if (kind === 'response') return this.upstreamResponse(msg);
    if (kind === 'request' && this.state === 'initializing') return this.held.forwardEarly(msg);
    if (this.state !== 'ready') return this.held.holdFromServer(msg);
    if (kind === 'request') return this.toClient(msg);
    const lists = listsChangedBy(msg.method);
    if (lists.length > 0) return this.afterRefresh(msg, lists);
    if (msg.method === 'notifications/progress') {
      return this.toClient(msg, this.requests.clientIdOfProgress(msg.params?.progressToken as string | number));
    }
    this.toClient(msg);
  }

  /** Re-verifies, then forwards the `list_changed` once per refresh, however many arrived meanwhile. */
  private afterRefresh(msg: RpcMessage, lists: ListName[]): void {
    this.refreshes.refreshOnce(msg.method!, lists, () => {
      if (this.state === 'ready') this.toClient(msg);
    });
  }

  private upstreamResponse(msg: RpcMessage): void {
    if (this.requests.settleInternal(msg)) return;
    const pending = this.requests.takeForwarded(msg.id);
    if (pending === undefined) return; // an answer to nothing the guard asked: dropped
    if (pending.method === 'initialize') return void this.completeInitialize(msg, pending.clientId);
    // A result passes as the server sent it, under the client's id (verbatim when read strictly
    // from stdio: see withId); an error may be the server posing as the guard, so it is disowned.
    const answer = msg.error ? { ...msg, error: disownServerError(msg.error), id: pending.clientId } : withId(msg, pending.clientId);
    this.toClient(answer, pending.clientId);
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
    for (const waiting of this.held.takeFromClient()) this.fromClient(waiting as JSONRPCMessage);
    for (const waiting of this.held.takeFromServer()) this.fromUpstream(waiting as JSONRPCMessage);
  }

  private async recapture(lists: ListName[]): Promise<void> {
    const exposure = this.exposure!;
    const note = (reason: string) => this.record({ event: 'verify', decision: 'note', reason });
    await exposure.read(lists, this.request, this.capabilities, { server: this.serverName(), limits: this.limits }, note);
    if (this.state !== 'ready' && this.state !== 'initializing') return;
    decideAndReport(exposure, this.facts!, decisionSink(this.serverName(), this.options, (fields) => this.record(fields), (reason) => this.refuse(reason)));
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
    for (const id of this.takeOpenClientIds(initializing)) this.replyRefused(id, reason);
    void this.close(new SessionRefusedError(this.serverName(), message));
  }

  /**
   * Every client request still open, each once: the held initialize, the forwarded and the
   * queued ones. They are no longer tracked afterwards; the caller answers each.
   */
  private takeOpenClientIds(initializing: boolean): Set<RpcId> {
    const open = new Set<RpcId>();
    if (initializing && this.initClientId !== undefined) open.add(this.initClientId);
    for (const id of this.requests.pendingClientIds()) open.add(id);
    for (const held of this.held.takeFromClient()) if (held.id !== undefined) open.add(held.id);
    this.requests.clearClientRequests();
    return open;
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

  private record(fields: GuardRecord): void {
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

