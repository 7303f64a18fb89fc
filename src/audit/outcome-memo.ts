import type { CachedOutcome } from './cache.js';

/**
 * Verifications of one run by cache key, so servers that share a bundle and policy
 * (mirrors, several versions) are verified once even when they run at the same time. It
 * holds at most `limit` outcomes, dropping the least recently used, so a run over many
 * distinct bundles keeps flat memory (the disk cache serves what falls out).
 */
export class OutcomeMemo {
  private readonly entries = new Map<string, Promise<CachedOutcome>>();

  constructor(private readonly limit = 512) {}

  get(key: string): Promise<CachedOutcome> | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, outcome: Promise<CachedOutcome>): void {
    this.entries.set(key, outcome);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }
}
