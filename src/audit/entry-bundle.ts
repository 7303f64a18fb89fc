import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fetchWithRetry, type RetryOptions } from '../io/http.js';
import type { Manifest } from '../manifest/schema.js';
import { bindingProblem } from './binding.js';
import type { AuditRuleName } from './rules.js';
import { bundleFileName, PUBLISHER_META_MAX_BYTES, toolsealMetaOf, type ServerJson, type ToolsealMeta } from './server-json.js';

/** Where a registry entry's bundle is looked for. */
export interface EntryBundleOptions {
  /** A folder of bundles named `<namespace>__<name>.sigstore.json`; a file there wins over the URL. */
  bundlesDir?: string;
  fetch: RetryOptions;
}

/** What looking up a registry entry's bundle found. */
export type EntryBundle =
  | { kind: 'none'; reason: string }
  | { kind: 'failed'; source?: string; rule: AuditRuleName; reason: string }
  | { kind: 'found'; source: string; bytes: Buffer; pointer?: ToolsealMeta };

/**
 * The bundle a registry entry points to: its `dev.toolseal` pointer in the publisher-provided
 * `_meta` (refused when that `_meta` is over the registry's size limit or the pointer is
 * malformed), a file of the auditor's own beside the list, or the URL fetched with `fetch`'s
 * bounds. Never throws: each fault is a rule and a sentence (`toolseal audit` reports them as
 * statuses, `toolseal scan` as why a publisher signature could not be checked).
 */
export async function loadEntryBundle(server: ServerJson, options: EntryBundleOptions): Promise<EntryBundle> {
  const meta = toolsealMetaOf(server);
  if (meta.kind === 'too-large') {
    return { kind: 'failed', rule: 'meta-too-large', reason: `The publisher-provided _meta of ${server.name} is ${meta.bytes} bytes as the registry's Go JSON encoder writes it (<, > and & take 6 bytes each), over the registry's ${PUBLISHER_META_MAX_BYTES}-byte limit; the registry would refuse it, so it is not trusted. Shrink it.` };
  }
  if (meta.kind === 'invalid') return { kind: 'failed', rule: 'toolseal-meta-invalid', reason: `${server.name}: ${meta.reason}. See docs/audit.md for the dev.toolseal pointer.` };
  const pointer = meta.kind === 'pointer' ? meta.meta : undefined;
  const local = options.bundlesDir ? join(options.bundlesDir, bundleFileName(server.name)) : undefined;
  if (local) {
    try {
      return { kind: 'found', source: local, bytes: await readFile(local), ...(pointer ? { pointer } : {}) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { kind: 'failed', source: local, rule: 'bundle-invalid', reason: `${local} cannot be read (${(err as Error).message}).` };
    }
  }
  if (!pointer) {
    return { kind: 'none', reason: `${server.name} publishes no toolseal attestation: no "dev.toolseal" pointer in its publisher-provided _meta${local ? ` and no ${local}` : ''}. Ask the publisher to sign its manifest (toolseal sign) and point at the bundle.` };
  }
  const outcome = await fetchWithRetry(pointer.bundle, options.fetch);
  if (outcome.ok) return { kind: 'found', source: pointer.bundle, bytes: outcome.bytes, pointer };
  if (outcome.kind === 'too-large') {
    return { kind: 'failed', source: pointer.bundle, rule: 'bundle-too-large', reason: `The bundle at ${pointer.bundle} answered HTTP ${outcome.status}, but ${outcome.message}; a toolseal bundle is far smaller, so it was not read. Ask the publisher to point at the right file.` };
  }
  const rule: AuditRuleName = outcome.kind === 'http' ? 'bundle-http-error' : 'bundle-network-error';
  const hint = outcome.kind === 'http' ? 'Ask the publisher to fix the bundle URL in server.json.' : 'Run the audit again later; the cache keeps what was already verified.';
  return { kind: 'failed', source: pointer.bundle, rule, reason: `The bundle at ${pointer.bundle} could not be fetched: ${outcome.message} after ${outcome.attempts} attempt(s). ${hint}` };
}

/**
 * Whether a verified bundle vouches for this registry entry: the entry's digest pin, when it
 * has one, names the signed manifest, and the manifest is bound to the entry (`bindingProblem`).
 * The pin comes first: a pin that names another digest already says the bundle was swapped.
 */
export function entryMismatch(server: ServerJson, pointer: ToolsealMeta | undefined, digest: string, manifest: Manifest): { rule: AuditRuleName; code: string; reason: string } | undefined {
  if (pointer?.manifestDigest && pointer.manifestDigest !== digest) {
    return { rule: 'digest-pin-mismatch', code: 'MANIFEST_DIGEST_MISMATCH', reason: `${server.name}: server.json pins the manifest ${pointer.manifestDigest}, but the bundle signs ${digest}. The bundle or the pin is stale or swapped; the publisher must re-sign or fix the pin.` };
  }
  const unbound = bindingProblem(server, manifest);
  if (unbound) return { rule: 'entry-binding-mismatch', code: 'ENTRY_BINDING_MISMATCH', reason: `${server.name}: ${unbound}` };
  return undefined;
}
