/**
 * A bounded, in-memory cache of verified attestations, so a gateway that sees the same
 * bundle on every connect pays for signature, chain and log checks once and then only
 * for capture and compare. The key binds the bundle bytes to the policy and trust
 * material it was verified under: the same bundle under a looser policy is a miss.
 */
export class VerificationCache<T> {
  private readonly entries = new Map<string, T>();
  private hitCount = 0;
  private missCount = 0;

  /** @param capacity - how many verified bundles to keep (least recently used goes first) */
  constructor(private readonly capacity = 256) {}

  /** The cached value for `key`, refreshed as most recently used. */
  get(key: string): T | undefined {
    const value = this.entries.get(key);
    if (value === undefined) {
      this.missCount++;
      return undefined;
    }
    this.hitCount++;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** Stores a verified value, evicting the least recently used when full. */
  set(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  /** Hits and misses so far, for benchmarks and gateway metrics. */
  get stats(): { hits: number; misses: number; size: number } {
    return { hits: this.hitCount, misses: this.missCount, size: this.entries.size };
  }
}
