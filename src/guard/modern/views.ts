import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { CaptureError } from '../../errors.js';
import type { CaptureLimits } from '../../manifest/capture/options.js';
import { readAllPages, type ListBudget } from '../../manifest/capture/pages.js';
import { LIST_NAMES, listSpec, type ListName } from '../../manifest/lists.js';
import { META, metaOf } from '../../protocol/wire.js';
import type { GuardAttestation } from '../settings.js';
import { UpstreamRpcError } from '../requests.js';
import type { RpcMessage } from '../rpc.js';
import type { AttestationResolver, GuardOptions } from '../session-options.js';
import { ExposureState, type SessionFacts } from '../exposure.js';
import type { ModernUpstream } from './upstream.js';

export const ALL_LISTS: readonly ListName[] = LIST_NAMES;

/** The client facts one verified view is read with: what a server may vary its lists on. */
export interface ClientContext {
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  clientInfo?: unknown;
}

/** The context a modern request names in its `_meta`. */
export function contextOf(message: RpcMessage): ClientContext {
  const meta = metaOf(message.params) ?? {};
  const caps = meta[META.clientCapabilities];
  return {
    protocolVersion: String(meta[META.protocolVersion] ?? ''),
    clientCapabilities: caps !== null && typeof caps === 'object' && !Array.isArray(caps) ? (caps as Record<string, unknown>) : {},
    ...(meta[META.clientInfo] !== undefined ? { clientInfo: meta[META.clientInfo] } : {}),
  };
}

/** One list's cache hints as the server gave them. */
interface Hints { ttlMs?: number; cacheScope?: unknown }

/**
 * The verified state of one client context: the ExposureState over the last lists read with
 * that context's `_meta`, the server's `server/discover` answer, and what the cache may
 * reuse. A list read whose content equals the last one is not verified again; with
 * `ttlMs` a list is not even read again until the server's own freshness hint expires.
 */
export class ContextView {
  verifier: ExposureState | undefined;
  discover: Record<string, unknown> | undefined;
  readonly hints = new Map<ListName, Hints>();
  private readonly fingerprints = new Map<string, string>();
  private readonly expires = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<boolean>>();

  constructor(readonly context: ClientContext, private readonly upstream: ModernUpstream, private readonly options: GuardOptions & { verifyCache?: boolean }, private readonly limits: CaptureLimits) {}

  /** The facts a verification needs besides the lists (from `server/discover`). */
  facts(): SessionFacts {
    const discover = this.discover ?? {};
    const meta = metaOf(discover) ?? {};
    return {
      serverInfo: meta[META.serverInfo],
      instructions: discover.instructions,
      protocolVersion: this.context.protocolVersion,
      clientCapabilities: this.context.clientCapabilities,
    };
  }

  /** An upstream request carrying this context's `_meta`, bounded by the request timeout. */
  async ask(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const _meta = {
      [META.protocolVersion]: this.context.protocolVersion,
      [META.clientCapabilities]: this.context.clientCapabilities,
      ...(this.context.clientInfo !== undefined ? { [META.clientInfo]: this.context.clientInfo } : {}),
    };
    const answer = await this.upstream.request({ jsonrpc: '2.0', id: 0, method, params: { ...params, _meta } }, { timeoutMs: this.limits.requestTimeoutMs });
    if (answer.error) throw new UpstreamRpcError(answer.error.code, method, String(answer.error.message), answer.error.data);
    return answer.result ?? {};
  }

  /**
   * Reads `server/discover` (when `withDiscover`, or never read) and `lists`, and verifies
   * when anything changed. Returns true when a verification ran. Concurrent calls for the
   * same reads share one.
   */
  refresh(lists: readonly ListName[], options: { withDiscover?: boolean; force?: boolean } = {}): Promise<boolean> {
    const key = `${options.withDiscover ? 'd' : ''}${lists.join(',')}${options.force ? '!' : ''}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const done = this.read(lists, options).finally(() => this.inflight.delete(key));
    this.inflight.set(key, done);
    return done;
  }

  private async read(lists: readonly ListName[], options: { withDiscover?: boolean; force?: boolean }): Promise<boolean> {
    const cache = this.options.verifyCache !== false;
    const now = Date.now();
    const fresh = (name: string): boolean => cache && !options.force && this.verifier !== undefined && (this.expires.get(name) ?? 0) > now;
    const readDiscover = (options.withDiscover || this.discover === undefined) && !fresh('discover');
    const toRead = (this.verifier === undefined ? ALL_LISTS : lists).filter((l) => !fresh(l));
    if (!readDiscover && toRead.length === 0) return false;
    if (readDiscover) this.setDiscover(await this.ask('server/discover'));
    const capabilities = (this.discover?.capabilities ?? {}) as Record<string, unknown>;
    // One byte budget for the lists of one read, as capture and the 2025-era guard have.
    const budget: ListBudget = { usedBytes: 0 };
    const read = await Promise.all(toRead.map(async (list) => [list, await this.readList(list, capabilities, budget)] as const));
    this.verifier ??= new ExposureState(await this.attestation(), this.options.settings);
    let changed = !cache || readDiscover && this.changed('discover', this.facts());
    for (const [list, entries] of read) {
      if (typeof entries === 'string') {
        this.verifier.setFailed(list, entries);
        this.fingerprints.delete(list);
        changed = true;
      } else {
        if (this.changed(list, entries) || !cache) changed = true;
        this.verifier.setList(list, entries);
      }
    }
    if (this.verifier.decision === undefined) changed = true;
    return changed;
  }

  private async readList(list: ListName, capabilities: Record<string, unknown>, budget: ListBudget): Promise<unknown[] | string> {
    if (!capabilities[listSpec(list).capability]) return [];
    try {
      let hints: Hints | undefined;
      const entries = await readAllPages(async (method, params) => {
        const result = await this.ask(method, params);
        hints ??= { ...(typeof result.ttlMs === 'number' ? { ttlMs: result.ttlMs } : {}), ...(result.cacheScope !== undefined ? { cacheScope: result.cacheScope } : {}) };
        return result;
      }, list, { server: this.options.sessionId ?? 'upstream', limits: this.limits }, budget);
      this.hints.set(list, hints ?? {});
      this.expire(list, hints?.ttlMs);
      return entries;
    } catch (err) {
      this.expires.delete(list);
      return (err as Error).message;
    }
  }

  private setDiscover(result: Record<string, unknown>): void {
    if (!Array.isArray(result.supportedVersions)) throw new CaptureError('CAPTURE_BAD_RESULT', 'The server answered server/discover without supportedVersions.');
    this.discover = result;
    this.expire('discover', typeof result.ttlMs === 'number' ? result.ttlMs : undefined);
  }

  private expire(name: string, ttlMs: number | undefined): void {
    if (ttlMs !== undefined && Number.isFinite(ttlMs) && ttlMs > 0) this.expires.set(name, Date.now() + Math.min(ttlMs, 86_400_000));
    else this.expires.delete(name);
  }

  /** Records the content fingerprint of `name`; true when it differs from the last one. */
  private changed(name: string, value: unknown): boolean {
    const print = createHash('sha256').update(JSON.stringify(value) ?? '').digest('hex');
    const before = this.fingerprints.get(name);
    this.fingerprints.set(name, print);
    return before !== print;
  }

  private async attestation(): Promise<GuardAttestation> {
    const source = this.options.attestation;
    return typeof source === 'function' ? (source as AttestationResolver)(this.discover ?? {}) : source;
  }
}

/** The cache key of a context: its canonical JSON. */
export function contextKey(context: ClientContext): string {
  return canonicalize(context) ?? '';
}
