import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import { emptyLists, entryKey, LIST_NAMES, type ListName } from '../manifest/lists.js';
import type { ListsDecision } from './decide.js';
import type { EntryFinding } from './live.js';

/** Why a request for one entry is not allowed: the finding that hid it, or that it is not listed. */
export type Denial = Pick<EntryFinding, 'list' | 'key' | 'code' | 'reason'>;


/**
 * What a client may currently see and use: the exposed entries of the last verification,
 * indexed for the per-call checks (a set lookup per `tools/call`).
 */
export class ExposureView {
  readonly lists: Readonly<Record<ListName, readonly object[]>>;
  private readonly keys: Record<ListName, Set<string>>;
  private readonly hidden = new Map<string, EntryFinding>();
  /** Under `warn`: entries exposed although they failed verification (a call to one is said, not refused). */
  private readonly warned = new Map<string, EntryFinding>();
  private readonly templates: { template: UriTemplate; exposed: boolean; key: string }[] = [];

  constructor(decision: ListsDecision | undefined) {
    this.lists = decision?.exposed ?? emptyLists();
    this.keys = {} as Record<ListName, Set<string>>;
    for (const list of LIST_NAMES) this.keys[list] = new Set(this.lists[list].map((e) => entryKey(list, e)));
    for (const finding of decision?.hidden ?? []) this.hidden.set(`${finding.list}\0${finding.key}`, finding);
    if (decision?.verdict.decision === 'warn') for (const finding of decision.verdict.mismatched) this.warned.set(`${finding.list}\0${finding.key}`, finding);
    for (const entry of this.lists.resourceTemplates) this.addTemplate(entryKey('resourceTemplates', entry), true);
    for (const finding of decision?.hidden ?? []) if (finding.list === 'resourceTemplates') this.addTemplate(finding.key, false);
  }

  /** True when the entry is exposed. */
  exposes(list: ListName, key: string): boolean {
    return this.keys[list].has(key);
  }

  /** Why `tools/call` or `prompts/get` of `key` is not allowed, or undefined when it is. */
  /**
   * The check of a client request that names an entry (`tools/call`, `prompts/get`, a
   * resource read or (un)subscribe, `completion/complete`): the denial, or undefined when the
   * entry is exposed; `null` when the request names no entry.
   */
  checkRequest(method: string | undefined, params: Record<string, unknown>): Denial | undefined | null {
    switch (method) {
      case 'tools/call': return this.checkNamed('tools', String(params.name));
      case 'prompts/get': return this.checkNamed('prompts', String(params.name));
      case 'resources/read': case 'resources/subscribe': case 'resources/unsubscribe': return this.checkUri(String(params.uri));
      case 'completion/complete': return this.checkRef(params.ref);
      default: return null;
    }
  }

  checkNamed(list: 'tools' | 'prompts', key: string): Denial | undefined {
    if (this.keys[list].has(key)) return this.warnedDenial(list, key);
    const finding = this.hidden.get(`${list}\0${key}`);
    if (finding) return denialOf(list, key, finding);
    return { list, key, code: 'ENTRY_NOT_LISTED', reason: 'it is not in the verified list' };
  }

  /**
   * Why reading `uri` is not allowed, or undefined. A listed, exposed resource or a URI that
   * matches an exposed template is allowed; a hidden resource, or a URI that matches only
   * hidden templates, is not. Other URIs (resource links a tool returned) are allowed:
   * the manifest signs what lists show, not resource contents.
   */
  checkUri(uri: string): Denial | undefined {
    if (this.keys.resources.has(uri)) return this.warnedDenial('resources', uri);
    const finding = this.hidden.get(`resources\0${uri}`);
    if (finding) return denialOf('resources', uri, finding);
    let hiddenMatch: Denial | undefined;
    for (const { template, exposed, key } of this.templates) {
      if (!safeMatch(template, uri)) continue;
      if (exposed) return this.warnedDenial('resourceTemplates', key);
      hiddenMatch ??= denialOf('resourceTemplates', key, this.hidden.get(`resourceTemplates\0${key}`)!);
    }
    return hiddenMatch;
  }

  /** Why completing against a prompt or template ref is not allowed, or undefined. */
  checkRef(ref: unknown): Denial | undefined {
    const r = (ref ?? {}) as { type?: unknown; name?: unknown; uri?: unknown };
    if (r.type === 'ref/prompt' && typeof r.name === 'string') return this.checkNamed('prompts', r.name);
    if (r.type !== 'ref/resource' || typeof r.uri !== 'string') return undefined;
    if (this.keys.resourceTemplates.has(r.uri)) return this.warnedDenial('resourceTemplates', r.uri);
    const f = this.hidden.get(`resourceTemplates\0${r.uri}`);
    return f ? denialOf('resourceTemplates', r.uri, f) : undefined;
  }

  /**
   * The denial of an exposed entry that failed verification, which only `warn` exposes: the
   * guard forwards the call and records it as let through (not as verified). Undefined for an
   * entry that verified.
   */
  private warnedDenial(list: ListName, key: string): Denial | undefined {
    const f = this.warned.get(`${list}\0${key}`);
    return f ? denialOf(list, key, f) : undefined;
  }

  private addTemplate(key: string, exposed: boolean): void {
    try {
      this.templates.push({ template: new UriTemplate(key), exposed, key });
    } catch {
      // An unparsable template matches nothing; it is still listed (or hidden) by key.
    }
  }
}

/** The denial of `key` in `list` for what `finding` found. */
function denialOf(list: ListName, key: string, finding: EntryFinding): Denial {
  return { list, key, code: finding.code, reason: finding.reason };
}

function safeMatch(template: UriTemplate, uri: string): boolean {
  try {
    return template.match(uri) !== null;
  } catch {
    return false;
  }
}


