import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../io/files.js';
import { ManifestSchema } from '../manifest/schema.js';
import { SignerSchema } from '../verify/verdict.js';
import type { AuditRuleName } from './rules.js';

/** The audit cache's folder: `$TOOLSEAL_CACHE_DIR/audit`, else `~/.cache/toolseal/audit`. */
export function defaultAuditCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TOOLSEAL_CACHE_DIR ? join(env.TOOLSEAL_CACHE_DIR, 'audit') : join(homedir(), '.cache', 'toolseal', 'audit');
}

/** The cached result of verifying one bundle under one policy. */
const CacheEntrySchema = z.strictObject({
  version: z.literal(1),
  bundleDigest: z.string(),
  policyDigest: z.string(),
  outcome: z.discriminatedUnion('ok', [
    z.strictObject({ ok: z.literal(true), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/), signer: SignerSchema, manifest: ManifestSchema }),
    z.strictObject({ ok: z.literal(false), rule: z.string(), code: z.string(), message: z.string() }),
  ]),
});
/** One cache entry. */
export type CacheEntry = z.infer<typeof CacheEntrySchema>;
/** What a cache entry records about a verification. */
export type CachedOutcome = CacheEntry['outcome'] & ({ ok: true } | { ok: false; rule: AuditRuleName });

/** Counters for reports and tests: a re-run should be all hits. */
export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
  /** Entries that could not be written; the audit goes on without them. */
  writeErrors: number;
}

const STALE_TMP_MS = 60 * 60 * 1000;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * A folder of verification results keyed by the bundle's bytes and the policy, one file
 * per entry, each written atomically (temporary file, then rename), so an interrupted
 * audit leaves only whole entries and the next run picks up where it stopped. A file
 * that does not parse is a miss, never trusted.
 */
export class AuditCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, writes: 0, writeErrors: 0 };

  private constructor(private readonly dir: string) {}

  /** Opens (creating) the cache folder and removes temporary files left by a killed run. */
  static async open(dir: string): Promise<AuditCache> {
    const entries = join(dir, 'v1');
    await mkdir(entries, { recursive: true });
    const now = Date.now();
    for (const name of await readdir(entries)) {
      if (!name.endsWith('.tmp')) continue;
      // Only old ones: a concurrent audit may be writing a fresh one right now.
      const info = await stat(join(entries, name)).catch(() => undefined);
      if (info && now - info.mtimeMs > STALE_TMP_MS) await rm(join(entries, name), { force: true });
    }
    return new AuditCache(entries);
  }

  /** The entry for a bundle (hex SHA-256 of its bytes) under a policy digest (hex), if any. */
  async get(bundleHex: string, policyHex: string): Promise<CachedOutcome | undefined> {
    let text: string;
    try {
      text = await readFile(this.path(bundleHex, policyHex), 'utf8');
    } catch {
      this.stats.misses++;
      return undefined;
    }
    const parsed = CacheEntrySchema.safeParse(safeJson(text));
    if (!parsed.success || parsed.data.bundleDigest !== bundleHex || parsed.data.policyDigest !== policyHex) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return parsed.data.outcome as CachedOutcome;
  }

  /** Records an outcome; a failure to write is counted, not thrown (the cache is an optimisation). */
  async put(bundleHex: string, policyHex: string, outcome: CachedOutcome): Promise<void> {
    const entry: CacheEntry = { version: 1, bundleDigest: bundleHex, policyDigest: policyHex, outcome };
    try {
      await writeFileAtomic(this.path(bundleHex, policyHex), JSON.stringify(entry));
      this.stats.writes++;
    } catch {
      this.stats.writeErrors++;
    }
  }

  private path(bundleHex: string, policyHex: string): string {
    if (!HEX64.test(bundleHex) || !HEX64.test(policyHex)) throw new Error('cache keys are 64 lowercase hex digits');
    return join(this.dir, `${bundleHex}-${policyHex}.json`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
