import type { ListName } from '../manifest/lists.js';

/**
 * Serializes a guard session's re-reads of the server's lists: one runs at a time, and
 * every request for a re-read that arrives while one is queued (not yet running) joins
 * it, so a burst of `list_changed` notifications or list requests costs one read.
 */
export class RefreshQueue {
  private running = 0;
  private chain: Promise<void> = Promise.resolve();
  private queued: { lists: Set<ListName>; done: Promise<void> } | undefined;
  private readonly after = new Map<string, Promise<void>>();

  /**
   * @param recapture re-reads and re-verifies the given lists.
   * @param onerror receives a failed re-read (the queue itself goes on).
   */
  constructor(private readonly recapture: (lists: ListName[]) => Promise<void>, private readonly onerror: (err: Error) => void) {}

  /** True while a re-read is queued or running: requests that depend on the lists wait for {@link idle}. */
  get busy(): boolean {
    return this.running > 0;
  }

  /** Settles once every re-read queued so far has finished (never rejects). */
  idle(): Promise<void> {
    return this.chain;
  }

  /**
   * Refreshes `lists`, then calls `then` once per refresh, however many calls with the same
   * `key` arrived while it was queued (a burst of `list_changed` is forwarded once).
   */
  refreshOnce(key: string, lists: ListName[], then: () => void): void {
    const done = this.refresh(lists);
    if (this.after.get(key) === done) return;
    this.after.set(key, done);
    void done.then(() => {
      if (this.after.get(key) === done) this.after.delete(key);
      then();
    });
  }

  /** Queues a re-read of `lists`; the promise settles when the re-read that covers them has run. */
  refresh(lists: ListName[]): Promise<void> {
    if (this.queued) {
      for (const list of lists) this.queued.lists.add(list);
      return this.queued.done;
    }
    const queued = { lists: new Set(lists), done: Promise.resolve() };
    this.running++;
    queued.done = this.chain.then(async () => {
      if (this.queued === queued) this.queued = undefined;
      try {
        await this.recapture([...queued.lists]);
      } finally {
        this.running--;
      }
    });
    this.queued = queued;
    this.chain = queued.done.catch((err: Error) => this.onerror(err));
    return queued.done;
  }
}
