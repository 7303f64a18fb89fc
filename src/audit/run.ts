import { TOOLSEAL_VERSION } from '../version.js';
import { auditServer, type AuditContext } from './audit-server.js';
import { policyDigester } from './policy-digest.js';
import { OutcomeMemo } from './outcome-memo.js';
import { AUDIT_REPORT_MEDIA_TYPE, type AuditReport, type AuditRun, type ServerAudit } from './result.js';
import { AUDIT_STATUSES } from './rules.js';
import type { RawEntry } from './registry-entry.js';

/** Where a streamed audit stands when a result is handed on. */
export interface AuditProgress {
  /** Results handed on so far, this one included. */
  done: number;
  /** Entries listed so far (a registry lists a page at a time). */
  seen: number;
  /** True once the whole list has been read, so `seen` is the total. */
  listed: boolean;
}

/** Options of {@link runAudit}. */
export interface RunAuditOptions {
  /** Servers audited at once (default 8). */
  concurrency?: number;
  /**
   * Receives each result in list order as soon as it and every earlier one are done; the
   * run waits for a returned promise (a report writer's backpressure) before handing on more.
   */
  onResult?: (result: ServerAudit, progress: AuditProgress) => void | Promise<void>;
  /** How far the source has listed, when it knows more than the runner has pulled (a page). */
  seen?: () => { entries: number; listed: boolean };
  /** Stops starting new servers; in-flight ones finish or abort. The run is then incomplete. */
  signal?: AbortSignal;
  /** Describes what was audited, for the report. */
  source: string;
  /** Most entries started ahead of the oldest unfinished one (default 32·concurrency): bounds memory. */
  window?: number;
}

/**
 * Audits a stream of entries with bounded concurrency and hands each result on in list
 * order; it keeps no result once handed on, so memory does not grow with the list. An abort
 * (Ctrl-C) stops the run between servers: what finished is handed on and cached,
 * `complete` is false, and a re-run repeats only the rest. A source that fails (a registry
 * page that cannot be read) or trust material that cannot be loaded rejects the run.
 */
export async function runAudit(entries: AsyncIterable<RawEntry> | Iterable<RawEntry>, ctx: Omit<AuditContext, 'policyDigest' | 'verifications'>, options: RunAuditOptions): Promise<AuditRun> {
  const context: AuditContext = { ...ctx, policyDigest: policyDigester(), verifications: new OutcomeMemo() };
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const queue = new OrderedQueue(options, options.window ?? concurrency * 32);
  const source = iteratorOf(entries);
  let failure: { error: unknown } | undefined;
  const stopped = (): boolean => failure !== undefined || options.signal?.aborted === true;
  const auditNext = async (): Promise<boolean> => {
    await queue.room();
    if (stopped()) return false;
    const index = queue.claim();
    const next = await source.next();
    if (next.done) {
      queue.end(index);
      return false;
    }
    try {
      await queue.finish(index, await auditServer(next.value, context));
    } catch (err) {
      if (!options.signal?.aborted) throw err;
      queue.drop(index);
    }
    return true;
  };
  const worker = async (): Promise<void> => {
    try {
      while (!stopped() && (await auditNext()));
    } catch (err) {
      // After Ctrl-C a pending page or bundle request rejects with the abort: not a failure.
      if (!options.signal?.aborted) failure ??= { error: err };
      queue.release();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await source.return?.();
  if (failure) throw failure.error;
  await queue.flush();
  return {
    mediaType: AUDIT_REPORT_MEDIA_TYPE,
    toolVersion: TOOLSEAL_VERSION,
    source: options.source,
    complete: !options.signal?.aborted && queue.complete(),
    summary: queue.summary,
    ...(ctx.cache ? { cache: { ...ctx.cache.stats } } : {}),
  };
}

/** Counts per status. */
export function summarize(servers: Iterable<ServerAudit>): AuditReport['summary'] {
  const summary = emptySummary();
  for (const s of servers) summary[s.status]++;
  return summary;
}

function emptySummary(): AuditReport['summary'] {
  return Object.fromEntries(AUDIT_STATUSES.map((s) => [s, 0])) as AuditReport['summary'];
}

function iteratorOf(entries: AsyncIterable<RawEntry> | Iterable<RawEntry>): AsyncIterator<RawEntry> | Iterator<RawEntry> {
  return Symbol.asyncIterator in entries ? entries[Symbol.asyncIterator]() : entries[Symbol.iterator]();
}

/**
 * Results by list index, handed on in order; a bounded window of indexes may be claimed
 * ahead of the oldest unfinished one. Indexes are claimed in the order entries are pulled.
 */
class OrderedQueue {
  readonly summary = emptySummary();
  private claimed = 0;
  /** The next index to hand on. */
  private next = 0;
  private handed = 0;
  private end_ = Infinity;
  private released = false;
  private readonly done = new Map<number, ServerAudit | null>();
  private waiters: (() => void)[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: RunAuditOptions, private readonly window: number) {}

  /** Waits until the window has room (or the run stops). */
  async room(): Promise<void> {
    while (!this.released && this.claimed - this.next >= this.window && this.claimed < this.end_) await new Promise<void>((r) => this.waiters.push(r));
  }

  claim(): number {
    return this.claimed++;
  }

  /** The list ended at `index`: nothing at or after it will come. */
  end(index: number): void {
    this.end_ = Math.min(this.end_, index);
    this.wake();
  }

  /** The run failed: stop every wait. */
  release(): void {
    this.released = true;
    this.wake();
  }

  /** An aborted server: no result, but later ones may still be handed on (see {@link flush}). */
  drop(index: number): void {
    this.done.set(index, null);
  }

  finish(index: number, result: ServerAudit): Promise<void> {
    this.done.set(index, result);
    this.chain = this.chain.then(() => this.drain());
    return this.chain;
  }

  /** Every listed entry was handed on. */
  complete(): boolean {
    return this.next === this.end_;
  }

  /** After an abort: hands on whatever finished, in order, across the gaps. */
  async flush(): Promise<void> {
    await this.chain;
    for (const index of [...this.done.keys()].sort((a, b) => a - b)) {
      const result = this.done.get(index);
      this.done.delete(index);
      if (result) await this.emit(result);
    }
  }

  private async drain(): Promise<void> {
    while (this.done.has(this.next)) {
      const result = this.done.get(this.next);
      this.done.delete(this.next);
      this.next++;
      if (result) await this.emit(result);
    }
  }

  private async emit(result: ServerAudit): Promise<void> {
    this.handed++;
    this.summary[result.status]++;
    const source = this.options.seen?.();
    const listed = this.end_ !== Infinity || source?.listed === true;
    const seen = this.end_ !== Infinity ? this.end_ : Math.max(source?.entries ?? 0, this.handed);
    await this.options.onResult?.(result, { done: this.handed, seen, listed });
    this.wake();
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
