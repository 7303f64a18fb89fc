import { scanString } from '../../compare/hidden-unicode.js';
import type { HiddenUnicodeFinding } from '../../compare/index.js';
import { captureLimits, type CaptureLimits } from '../../manifest/capture/options.js';
import { MODERN_PROTOCOL_VERSION } from '../../protocol/era.js';
import { META, MODERN_RPC_CODES, REMOVED_METHODS, isModernVersion, metaOf, metaProblem } from '../../protocol/wire.js';
import { NULL_AUDIT_SINK, type AuditRecord, type AuditSink } from '../audit.js';
import { untrusted } from '../../io/terminal.js';
import { disownServerError, GUARD_RPC_CODES, guardErrorData, SessionRefusedError, notVerifiedCode, type GuardErrorData } from '../errors.js';
import { refusalMessage } from '../replies.js';
import { decideAndReport, type DecisionSink } from '../report-decision.js';
import { UpstreamRpcError } from '../requests.js';
import { listOfMethod, listsChangedBy, type ListName } from '../../manifest/lists.js';
import { calledEntry, type RpcId, type RpcMessage } from '../rpc.js';
import type { GuardOptions } from '../session-options.js';
import type { Denial } from '../view.js';
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
 * calls to an entry the view does not expose are refused with `-32051`; an
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
    const early = this.precheck(msg);
    if (early) return early;
    const view = this.viewFor(msg);
    try {
      return await this.route(msg, view, call);
    } catch (err) {
      if (err instanceof UpstreamRpcError) return this.upstreamError(msg, err);
      return this.upstreamFailed(msg.id, (err as Error).message);
    }
  }

  /** Closes the upstream. */
  async close(): Promise<void> {
    await this.upstream.close();
  }

  /**
   * The server's own error, under the client's id. A `server/discover` answered with an
   * error outside the modern range comes from a 2025-era server: the message says so (the
   * code stays, so a dual-era client still falls back to `initialize`).
   */
  private upstreamError(msg: Rpc, err: UpstreamRpcError): RpcMessage {
    const data = err.data !== undefined ? { data: err.data } : {};
    const modern = err.code <= -32020 && err.code >= -32099;
    const message = msg.method === 'server/discover' && !modern
      ? `toolseal: the server does not speak MCP ${MODERN_PROTOCOL_VERSION} (it answered server/discover with ${err.code}: ${err.message.slice(0, 200)}); connect with a client that speaks the 2025 era (initialize).`
      : err.message;
    // A server error that uses the guard's own codes is marked as the server's (never a guard refusal).
    return { jsonrpc: '2.0', id: msg.id, error: disownServerError({ code: err.code, message, ...data }) };
  }

  /** The `_meta` rules of the revision, answered before anything goes upstream. */
  private precheck(msg: Rpc): RpcMessage | undefined {
    const method = msg.method ?? '';
    if (REMOVED_METHODS.has(method)) {
      return errorOf(msg.id, MODERN_RPC_CODES.methodNotFound, `Method not found: ${method} is not part of MCP ${MODERN_PROTOCOL_VERSION}.`);
    }
    const problem = metaProblem(msg.params);
    if (problem !== undefined) {
      return errorOf(msg.id, MODERN_RPC_CODES.invalidParams, `Invalid params: ${problem}; every ${MODERN_PROTOCOL_VERSION} request names its protocol version and client capabilities.`);
    }
    const version = metaOf(msg.params)?.[META.protocolVersion];
    if (version !== undefined && !isModernVersion(version)) {
      const supported = this.supportedVersions();
      return errorOf(msg.id, MODERN_RPC_CODES.unsupportedProtocolVersion, `Unsupported protocol version: ${String(version).slice(0, 40)}`, { supported, requested: version });
    }
    return undefined;
  }

  private async route(msg: Rpc, view: ContextView, call: ModernCall): Promise<RpcMessage> {
    const method = msg.method!;
    if (method === 'server/discover') {
      await this.refresh(view, [], { withDiscover: true });
      return this.refused !== undefined ? this.refusal(msg.id, this.refused) : { jsonrpc: '2.0', id: msg.id, result: this.discoverResult(view) };
    }
    const listed = listOfMethod(method);
    if (listed) return this.answerList(msg, view, listed.name, listed.resultKey);
    await this.refresh(view, []);
    if (this.refused !== undefined) return this.refusal(msg.id, this.refused);
    const denial = this.denial(msg, view);
    if (denial) {
      const refused = this.refuseCall(msg, denial);
      if (refused) return refused;
    }
    if (method === 'subscriptions/listen') return this.listen(msg, view, call);
    return this.forward(msg, view, call);
  }

  private denial(msg: Rpc, view: ContextView): Denial | undefined {
    const exposure = view.verifier!.view;
    const params = msg.params ?? {};
    switch (msg.method) {
      case 'tools/call': return exposure.checkNamed('tools', String(params.name));
      case 'prompts/get': return exposure.checkNamed('prompts', String(params.name));
      case 'resources/read': return exposure.checkUri(String(params.uri));
      case 'completion/complete': return exposure.checkRef(params.ref);
      default: return undefined;
    }
  }

  /** The refusal of a call to an entry the view does not expose; undefined under `warn` (recorded, forwarded). */
  private refuseCall(msg: Rpc, denial: Denial): RpcMessage | undefined {
    const entry = `${denial.list}/${denial.key}`;
    if (this.options.settings?.enforce === 'warn') {
      this.record({ event: 'call', decision: 'allow', entry, code: denial.code, reason: `enforce: warn, although ${denial.reason}` });
      return undefined;
    }
    const noun = denial.list === 'tools' ? 'tool' : denial.list === 'prompts' ? 'prompt' : 'resource';
    this.record({ event: 'call', decision: 'refuse', entry, code: denial.code, reason: denial.reason });
    return errorOf(msg.id, GUARD_RPC_CODES.notVerified, `toolseal: the ${noun} "${untrusted(denial.key)}" of server ${untrusted(this.serverName())} is not verified (${denial.reason}); the request was not forwarded.`,
      { code: notVerifiedCode(denial.list), server: this.serverName(), list: denial.list, key: denial.key, reason: denial.reason });
  }

  private async answerList(msg: Rpc, view: ContextView, list: ListName, field: string): Promise<RpcMessage> {
    if (msg.params?.cursor !== undefined) return errorOf(msg.id, MODERN_RPC_CODES.invalidParams, 'toolseal serves every list in one page; there is no next page.');
    await this.refresh(view, [list]);
    if (this.refused !== undefined) return this.refusal(msg.id, this.refused);
    const failure = view.verifier!.failure(list);
    if (failure !== undefined && this.options.settings?.enforce !== 'warn') return this.upstreamFailed(msg.id, `${msg.method} could not be read from the server: ${failure}`);
    const hints = view.hints.get(list) ?? {};
    return { jsonrpc: '2.0', id: msg.id, result: { [field]: view.verifier!.view.lists[list], ...hints, resultType: 'complete', _meta: { [META.serverInfo]: this.signedServerInfo() } } };
  }

  private async forward(msg: Rpc, view: ContextView, call: ModernCall): Promise<RpcMessage> {
    if (this.options.auditAllowedCalls && view.verifier && msg.method !== undefined && ['tools/call', 'prompts/get', 'resources/read'].includes(msg.method)) {
      this.record({ event: 'call', decision: 'allow', entry: calledEntry(msg), reason: 'verified' });
    }
    const answer = await this.upstream.request(msg, { ...(call.emit ? { onNotification: call.emit } : {}), ...(call.signal ? { signal: call.signal } : {}), ...(call.headers ? { headers: call.headers } : {}) });
    // The server's own error may not pass for the guard's (-32051..-32053 are the guard's codes).
    if (!answer.result) return answer.error ? { ...answer, error: disownServerError(answer.error) } : answer;
    if (answer.result.resultType === 'input_required') {
      const hidden = hiddenIn(answer.result.inputRequests, this.options.settings?.allowHiddenUnicode ?? []);
      if (hidden.length > 0 && this.options.settings?.enforce !== 'warn') {
        const reason = `its input requests hide Unicode (${hidden.map((f) => `${f.category} at ${f.path}`).join(', ')})`;
        this.record({ event: 'call', decision: 'refuse', entry: calledEntry(msg), code: 'HIDDEN_UNICODE', reason });
        return errorOf(msg.id, GUARD_RPC_CODES.notVerified, `toolseal: the server ${this.serverName()} answered ${msg.method} with input requests that hide Unicode; the answer was not forwarded.`, { code: 'HIDDEN_UNICODE', server: this.serverName(), reason });
      }
    }
    return { ...answer, result: this.withSignedInfo(answer.result) };
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
    return answer.result ? { ...answer, result: this.withSignedInfo(answer.result) } : answer;
  }

  private async refresh(view: ContextView, lists: readonly ListName[], options: { withDiscover?: boolean; force?: boolean } = {}): Promise<void> {
    const changed = await view.refresh(lists, options);
    if (!changed || this.refused !== undefined) return;
    decideAndReport(view.verifier!, view.facts(), this.decisionSink());
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
    return refusalMessage(this.serverName(), this.options.settings?.enforce ?? 'block', reason);
  }

  private refusal(id: RpcId, reason: string): RpcMessage {
    return errorOf(id, GUARD_RPC_CODES.sessionRefused, this.refusalMessage(reason), { code: 'SESSION_REFUSED', server: this.serverName(), reason });
  }

  private upstreamFailed(id: RpcId, reason: string): RpcMessage {
    return errorOf(id, GUARD_RPC_CODES.upstreamFailed, `toolseal: the request cannot complete: ${reason}`, { code: 'UPSTREAM_FAILED', server: this.serverName(), reason });
  }

  /** The discover answer as a client may see it: signed server info, instructions only when verified. */
  private discoverResult(view: ContextView): Record<string, unknown> {
    const { instructions, ...rest } = view.discover ?? {};
    const exposed = view.verifier?.decision?.verdict.instructions.exposed ?? false;
    return { ...this.withSignedInfo(rest), ...(exposed && instructions !== undefined ? { instructions } : {}) };
  }

  /** A result whose `_meta` names the server: the name the manifest signs replaces the live one. */
  private withSignedInfo(result: Record<string, unknown>): Record<string, unknown> {
    const meta = metaOf(result);
    if (meta?.[META.serverInfo] === undefined) return result;
    return { ...result, _meta: { ...meta, [META.serverInfo]: this.signedServerInfo() } };
  }

  private signedServerInfo(): Record<string, unknown> {
    const server = this.anyVerifier()?.attestation.manifest.server;
    if (!server) return {};
    return { name: server.name, version: server.version, ...(server.title !== undefined ? { title: server.title } : {}) };
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

  private serverName(): string {
    return this.anyVerifier()?.attestation.manifest.server.name ?? 'upstream';
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
    const enforce = this.options.settings?.enforce ?? 'block';
    this.audit.write({ time: new Date().toISOString(), server: this.serverName(), session: this.options.sessionId ?? 'modern', enforce, ...fields });
  }
}

/** An error the guard answers with; its guard data is marked as the guard's own (see `toGuardError`). */
function errorOf(id: RpcId, code: number, message: string, data?: Record<string, unknown>): RpcMessage {
  const marked = data && typeof data.code === 'string' && typeof data.server === 'string' ? guardErrorData(data as unknown as GuardErrorData) : data;
  return { jsonrpc: '2.0', id, error: { code, message, ...(marked ? { data: marked } : {}) } };
}

/** Hidden Unicode anywhere in an `input_required` result's input requests (text a client shows a person or a model). */
function hiddenIn(value: unknown, allow: readonly string[]): HiddenUnicodeFinding[] {
  const out: HiddenUnicodeFinding[] = [];
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') out.push(...scanString(v, path, 'value'));
    else if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${path}/${i}`));
    else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        out.push(...scanString(k, `${path}/${k}`, 'key'));
        walk(item, `${path}/${k}`);
      }
    }
  };
  walk(value, '/inputRequests');
  return out.filter((f) => !allow.includes(f.category));
}

export { ALL_LISTS };
