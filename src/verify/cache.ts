import { createHash, type Hash } from 'node:crypto';
import { jsonDigest } from '../manifest/canonical.js';

/**
 * A bounded, in-memory cache of verified attestations, so a gateway that sees the same
 * bundle on every connect pays for signature, chain and log checks once and then only
 * for capture and compare. The key is the bundle's content only: a cache belongs to one
 * `ManifestVerifier`, whose policy and trust material are fixed, so a bundle verified under
 * one policy can never be a hit under another. Do not share a cache between verifiers.
 */
export class VerificationCache<T> {
  private readonly entries = new Map<string, T>();
  private hitCount = 0;
  private missCount = 0;

  /** @param capacity - how many verified bundles to keep (least recently used goes first) */
  constructor(private readonly capacity = 256) {}

  /** The cached value for `key` (when `accept` takes it), refreshed as most recently used. */
  get(key: string, accept?: (value: T) => boolean): T | undefined {
    const value = this.entries.get(key);
    if (value === undefined || (accept !== undefined && !accept(value))) {
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

/**
 * The cache key of a bundle as parsed JSON: SHA-256 over an unambiguous encoding of the
 * value (type tags, lengths, object keys sorted), so two values share a key only when
 * they are deeply equal JSON, and then they verify alike. It costs a fraction of RFC 8785
 * + SHA-256, which a cache hit used to pay: strings (a DSSE payload is 100+ KiB) go
 * straight into the hash instead of being escaped into JSON text first. Anything that is
 * not plain JSON data (lone surrogates, non-finite numbers, `undefined`, holes, class
 * instances) falls back to the RFC 8785 digest, under its own prefix.
 */
export function bundleCacheKey(value: unknown): string {
  const hash = createHash('sha256');
  return feed(hash, value) ? `tree:${hash.digest('hex')}` : `jcs:${jsonDigest(value)}`;
}

/** Feeds one JSON value into the hash, self-delimiting; false when it is not plain JSON data. */
function feed(hash: Hash, value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      // Well-formed, so its UTF-8 is injective; the UTF-16 length delimits it.
      if (!value.isWellFormed()) return false;
      hash.update(`s${value.length}:`).update(value);
      return true;
    case 'number':
      if (!Number.isFinite(value)) return false;
      hash.update(`d${value};`);
      return true;
    case 'boolean':
      hash.update(value ? 't' : 'f');
      return true;
    case 'object':
      return value === null ? (hash.update('n'), true) : feedContainer(hash, value);
    default:
      return false;
  }
}

function feedContainer(hash: Hash, value: object): boolean {
  if (Array.isArray(value)) {
    hash.update(`[${value.length};`);
    // An index loop, not every(): every() skips holes, which would let [ , 1] and [1, ] collide.
    for (let i = 0; i < value.length; i++) if (!feed(hash, value[i])) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(value).sort();
  hash.update(`{${keys.length};`);
  for (const key of keys) {
    if (!feed(hash, key) || !feed(hash, (value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/**
 * A copy of a plain JSON value's containers (strings are immutable and shared), so a value
 * computed from it later is the value of what was verified even if the caller changes its
 * object afterwards. Undefined when the value is not plain JSON data (then compute at once).
 */
export function jsonSnapshot(value: unknown): unknown {
  return snapshotOf(value, false);
}

/** A {@link jsonSnapshot} with every container frozen (made in the same walk), or undefined. */
export function frozenJsonSnapshot(value: unknown): unknown {
  return snapshotOf(value, true);
}

function snapshotOf(value: unknown, freeze: boolean): unknown {
  try {
    return copy(value, 0, freeze);
  } catch (err) {
    if (err === NOT_PLAIN) return undefined;
    throw err;
  }
}

const NOT_PLAIN = Symbol('not plain JSON');

function copy(value: unknown, depth: number, freeze: boolean): unknown {
  if (typeof value !== 'object' || value === null) {
    if ((typeof value === 'string' && value.isWellFormed()) || typeof value === 'boolean' || value === null || (typeof value === 'number' && Number.isFinite(value))) return value;
    throw NOT_PLAIN;
  }
  if (depth > 512) throw NOT_PLAIN;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw NOT_PLAIN;
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i], depth + 1, freeze);
    return freeze ? Object.freeze(out) : out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member = copy((value as Record<string, unknown>)[key], depth + 1, freeze);
    // defineProperty for a name Object.prototype has: a member named "__proto__" stays a member,
    // and a frozen prototype cannot refuse "toString". Assignment for the rest: several times faster.
    if (key in Object.prototype) Object.defineProperty(out, key, { value: member, enumerable: true, writable: true, configurable: true });
    else out[key] = member;
  }
  return freeze ? Object.freeze(out) : out;
}

/**
 * Where a bundle may sit in the cache without hashing it: its (first) signature, which any
 * change to what it signs would have to keep. Only a hint: a hit also needs the bundle to
 * equal the verified one ({@link equalsSnapshot}). Undefined when the bundle has no signature string.
 */
export function bundleLookupKey(value: unknown): string | undefined {
  const bundle = value as { dsseEnvelope?: { signatures?: { sig?: unknown }[] }; messageSignature?: { signature?: unknown } } | null;
  const sig = bundle?.dsseEnvelope?.signatures?.[0]?.sig ?? bundle?.messageSignature?.signature;
  return typeof sig === 'string' ? `sig:${sig}` : undefined;
}

/**
 * Whether `value` is the same JSON as a {@link jsonSnapshot} (member order aside): the
 * relation of equal RFC 8785 bytes, held to the same rules as {@link bundleCacheKey} (plain
 * arrays and objects only, no holes, no `undefined`). Strings are compared, not hashed: a
 * 170 KiB payload that is the very same string costs nothing, an equal copy one memory compare.
 */
export function equalsSnapshot(snapshot: unknown, value: unknown): boolean {
  if (typeof snapshot !== 'object' || snapshot === null) return snapshot === value;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(snapshot)) {
    if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype || value.length !== snapshot.length) return false;
    for (let i = 0; i < snapshot.length; i++) if (!equalsSnapshot(snapshot[i], value[i])) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value) || (proto !== Object.prototype && proto !== null)) return false;
  const keys = Object.keys(snapshot);
  if (keys.length !== Object.keys(value).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(value, key) || !equalsSnapshot((snapshot as Record<string, unknown>)[key], (value as Record<string, unknown>)[key])) return false;
  }
  return true;
}
