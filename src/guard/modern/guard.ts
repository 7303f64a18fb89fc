import { scanValueHiddenUnicode } from '../../compare/hidden-unicode.js';
import { captureLimits, type CaptureLimits } from '../../manifest/capture/options.js';
import { MODERN_PROTOCOL_VERSION } from '../../protocol/era.js';
import type { Manifest } from '../../manifest/schema.js';
import { META } from '../../protocol/wire.js';
import { NULL_AUDIT_SINK, type AuditSink } from '../audit.js';
import { untrusted } from '../../io/terminal.js';
import { disownServerError, GUARD_RPC_CODES, SessionRefusedError } from '../errors.js';
import { noNextPageReply, notVerifiedReply, refusalMessage, refusedReply, upstreamFailedReply } from '../replies.js';
import { decideAndReport, decisionSink, reportDenial, type GuardRecord } from '../report-decision.js';
import { UpstreamRpcError } from '../requests.js';
import { listOfMethod, listsChangedBy, type ListName } from '../../manifest/lists.js';
import { calledEntry, type RpcId, type RpcMessage } from '../rpc.js';
import type { GuardOptions } from '../session-options.js';
import type { Denial } from '../view.js';
import { errorOf, precheckRequest, serverErrorAnswer } from './answers.js';
import { discoverResult, signedServerInfo, withSignedInfo } from './signed-info.js';
import type { ModernUpstream } from './upstream.js';
import { ALL_LISTS, ContextView, contextKey, contextOf } from './views.js';

/** Options of a {@link ModernGuard}. */
export interface ModernGuardOptions extends GuardOptions {
  /**
   * Reuse verified views (default true): a list whose content is unchanged is not verified
   * again, and within the server's `ttlMs` it is not read again. `false` re-reads and
   * re-verifies on every list request (the benchmark's baseline).
   */
  verifyCache?: boolean;
}

/** Where one request's related messages go and when it is abandoned. */
export interface ModernCall {
  /** Notifications of this request (progress, a listen stream). */
  emit?: (notification: RpcMessage) => void;
  /** Aborted when the client went away. */
  signal?: AbortSignal;
  /** HTTP headers to pass upstream (the client's `Mcp-Param-*`). */
  headers?: Record<string, string>;
}

type Rpc = RpcMessage & { id: RpcId };

/**
 * The guard in the 2026-07-28 era: every request stands alone and is answered by itself,
 * so one guard serves any number of clients and any instance can answer any request.
 * For each client context (protocol version, capabilities, client info in `_meta`) it
 * keeps a verified view of the server's lists, read with that context's `_meta`:
 * `server/discover` is answered with the signed server info (and the instructions only
 * when verified); list requests with the verified entries, in the server's order;
 * calls to an entry the view does not expose are refused with `-31051`; an
 * `input_required` result passes through intact unless its input requests hide
 * Unicode; a `subscriptions/listen` stream's list changes are re-verified before they
 * are forwarded. Under `block` a refusal is final for this guard. See docs/proxy.md.
 */
export class ModernGuard {
  /** Called once, when `enforce: block` refused the server. */
  onRefused?: (error: SessionRefusedError) => void;
  private readonly views = new Map<string, ContextView>();
  private readonly limits: CaptureLimits;
  private readonly audit: AuditSink;
  private refused: string | undefined;

  constructor(private readonly upstream: ModernUpstream, private readonly options: ModernGuardOptions) {
    this.limits = captureLimits(options.limits);
    this.audit = options.audit ?? NULL_AUDIT_SINK;
  }

  /** Answers one client request; never rejects. The answer carries the request's id. */
  async handle(message: RpcMessage, call: ModernCall = {}): Promise<RpcMessage> {
    const msg = message as Rpc;
    if (this.refused !== undefined) return this.refusal(msg.id, this.refused);
    const early = precheckRequest(msg, () => this.supportedVersions());
    if (early) return early;
    const view = this.viewFor(msg);
    try {
      return await this.route(msg, view, call);
    } catch (err) {
      if (err instanceof UpstreamRpcError) return serverErrorAnswer(msg, err);
      return this.upstreamFailed(msg.id, (err as Error).message);
    }
  }

  /** Closes the upstream. */
  async close(): Promise<void> {
    await this.upstream.close();
  }

  private async route(msg: Rpc, view: ContextView, call: ModernCall): Promise<RpcMessage> {
    const method = msg.method!;
    if (method === 'server/discover') {
      await this.refresh(view, [], { withDiscover: true });
      return this.refused !== undefined ? this.refusal(msg.id, this.refused) : { jsonrpc: '2.0', id: msg.id, result: discoverResult(view, this.signedServer()) };
    }
    const listed = listOfMethod(method);
    if (listed) return this.answerList(msg, view, listed.name, listed.resultKey);
    await this.refresh(view, []);
    if (this.refused !== undefined) return this.refusal(msg.id, this.refused);
    // Subscribe and unsubscribe, which the 2025-era check also covers, were refused by the precheck.
    const denial = view.verifier!.view.checkRequest(msg.method, msg.params ?? {});
    if (denial) {
      const refused = this.refuseCall(msg, denial);
      if (refused) return refused;
    }
    if (method === 'subscriptions/listen') return this.listen(msg, view, call);
    // As in the 2025 era: a call that names a verified entry is recorded (with auditAllowedCalls); one let through under warn is not.
    return this.forward(msg, view, call, denial === undefined);
  }

  /** The refusal of a call to an entry the view does not expose; undefined under `warn` (recorded, forwarded). */
  private refuseCall(msg: Rpc, denial: Denial): RpcMessage | undefined {
    if (!reportDenial(denial, this.options.settings?.enforce === 'warn', (fields) => this.record(fields))) return undefined;
    return notVerifiedReply(msg.id, this.serverName(), denial);
  }

  private async answerList(msg: Rpc, view: ContextView, list: ListName, field: string): Promise<RpcMessage> {
    if (msg.params?.cursor !== undefined) return noNextPageReply(msg.id);
    await this.refresh(view, [list]);
    if (this.refused !== undefined) return this.refusal(msg.id, this.refused);
    const unservable = view.verifier!.unservable(list, msg.method!);
    if (unservable !== undefined) return this.upstreamFailed(msg.id, unservable);
    const hints = view.hints.get(list) ?? {};
    return { jsonrpc: '2.0', id: msg.id, result: { [field]: view.verifier!.view.lists[list], ...hints, resultType: 'complete', _meta: { [META.serverInfo]: signedServerInfo(this.signedServer()) } } };
  }

  private async forward(msg: Rpc, view: ContextView, call: ModernCall, verifiedEntry: boolean): Promise<RpcMessage> {
    if (this.options.auditAllowedCalls && verifiedEntry) {
      this.record({ event: 'call', decision: 'allow', entry: calledEntry(msg), reason: 'verified' });
    }
    const answer = await this.upstream.request(msg, { ...(call.emit ? { onNotification: call.emit } : {}), ...(call.signal ? { signal: call.signal } : {}), ...(call.headers ? { headers: call.headers } : {}) });
    // The server's own error may not pass for the guard's (-31051..-31053 are the guard's codes).
    if (!answer.result) return answer.error ? { ...answer, error: disownServerError(answer.error) } : answer;
    if (answer.result.resultType === 'input_required') {
      const hidden = scanValueHiddenUnicode(answer.result.inputRequests, ['inputRequests'], { allow: this.options.settings?.allowHiddenUnicode ?? [] });
      if (hidden.length > 0 && this.options.settings?.enforce !== 'warn') {
        const reason = `its input requests hide Unicode (${hidden.map((f) => `${f.category} at ${f.path}`).join(', ')})`;
        this.record({ event: 'call', decision: 'refuse', entry: calledEntry(msg), code: 'HIDDEN_UNICODE', reason });
        return errorOf(msg.id, GUARD_RPC_CODES.notVerified, `toolseal: the server ${this.serverName()} answered ${msg.method} with input requests that hide Unicode; the answer was not forwarded.`, { code: 'HIDDEN_UNICODE', server: this.serverName(), reason });
      }
    }
    return { ...answer, result: withSignedInfo(answer.result, this.signedServer()) };
  }

  /**
   * Forwards a `subscriptions/listen` stream. A list change is re-verified (that list,
   * read afresh) before its notification is forwarded; an update of a resource the view
   * does not expose is dropped; under `block` a refusal ends the stream with the refusal.
   */
  private async listen(msg: Rpc, view: ContextView, call: ModernCall): Promise<RpcMessage> {
    const stop = new AbortController();
    call.signal?.addEventListener('abort', () => stop.abort(), { once: true });
    let chain = Promise.resolve();
    const onNotification = (n: RpcMessage): void => {
      chain = chain.then(async () => {
        const lists = listsChangedBy(n.method);
        if (lists.length > 0) {
          await this.refresh(view, lists, { force: true }).catch((err: Error) => this.options.log?.(`toolseal: ${untrusted(this.serverName())}: re-reading after ${n.method} failed: ${untrusted(err.message)}`));
          if (this.refused !== undefined) return stop.abort();
        } else if (n.method === 'notifications/resources/updated' && view.verifier!.view.checkUri(String(n.params?.uri)) !== undefined) {
          return;
        }
        call.emit?.(n);
      });
    };
    const answer = await this.upstream.request(msg, { onNotification, signal: stop.signal, ...(call.headers ? { headers: call.headers } : {}) });
    await chain;
    if (this.refused !== undefined) return this.refusal(msg.id, this.refused);
    return answer.result ? { ...answer, result: withSignedInfo(answer.result, this.signedServer()) } : answer;
  }

  private async refresh(view: ContextView, lists: readonly ListName[], options: { withDiscover?: boolean; force?: boolean } = {}): Promise<void> {
    const changed = await view.refresh(lists, options);
    if (!changed || this.refused !== undefined) return;
    decideAndReport(view.verifier!, view.facts(), decisionSink(this.serverName(), this.options, (fields) => this.record(fields), (reason) => this.refuse(reason)));
  }

  private refuse(reason: string): void {
    if (this.refused !== undefined) return;
    this.refused = reason;
    const message = this.refusalMessage(reason);
    this.options.log?.(message);
    this.record({ event: 'session', decision: 'refused', reason });
    this.onRefused?.(new SessionRefusedError(this.serverName(), message));
  }

  private refusalMessage(reason: string): string {
    return refusalMessage(this.serverName(), this.enforceMode(), reason);
  }

  private refusal(id: RpcId, reason: string): RpcMessage {
    return refusedReply(id, this.serverName(), this.enforceMode(), reason);
  }

  private upstreamFailed(id: RpcId, reason: string): RpcMessage {
    return upstreamFailedReply(id, this.serverName(), `the request cannot complete: ${reason}`, reason);
  }

  private enforceMode(): string {
    return this.options.settings?.enforce ?? 'block';
  }

  private viewFor(msg: Rpc): ContextView {
    const context = contextOf(msg);
    const key = contextKey(context);
    let view = this.views.get(key);
    if (!view) {
      // Bounded: a client that varies its _meta on every request must not grow the map without end.
      if (this.views.size >= 256) this.views.delete(this.views.keys().next().value!);
      view = new ContextView(context, this.upstream, { ...this.options, sessionId: this.options.sessionId ?? 'upstream' }, this.limits);
      this.views.set(key, view);
    }
    return view;
  }

  private supportedVersions(): string[] {
    for (const view of this.views.values()) {
      const supported = view.discover?.supportedVersions;
      if (Array.isArray(supported)) return supported.filter((v): v is string => typeof v === 'string');
    }
    return [MODERN_PROTOCOL_VERSION];
  }

  private anyVerifier(): ContextView['verifier'] {
    for (const view of this.views.values()) if (view.verifier) return view.verifier;
    return undefined;
  }

  /** The server the manifest signs, once any view is verified. */
  private signedServer(): Manifest['server'] | undefined {
    return this.anyVerifier()?.attestation.manifest.server;
  }

  private serverName(): string {
    return this.signedServer()?.name ?? 'upstream';
  }

  private record(fields: GuardRecord): void {
    this.audit.write({ time: new Date().toISOString(), server: this.serverName(), session: this.options.sessionId ?? 'modern', enforce: this.enforceMode(), ...fields });
  }
}

export { ALL_LISTS };
