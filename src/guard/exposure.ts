import { createHash } from 'node:crypto';
import { entryDigests } from '../manifest/digest.js';
import { readAllPages, type ListBudget, type PageReadContext, type PageRequest } from '../manifest/capture/pages.js';
import { emptyLists, entryKey, LIST_KEYS, listSpec, type ListName } from '../manifest/lists.js';
import type { AuditRecord } from './audit.js';
import { decideLists, type ListsDecision } from './decide.js';
import { liveManifest, type LiveCapture, type RawLists } from './live.js';
import { resolveGuardSettings, type GuardAttestation, type GuardSettings, type ResolvedGuardSettings } from './settings.js';
import type { DynamicList } from '../manifest/schema.js';
import { ExposureView } from './view.js';

/** The `initialize` facts a verification needs besides the lists. */
export type SessionFacts = Omit<LiveCapture, 'lists'>;

/**
 * What one guard session exposes, and why: the last raw lists per list, the decision over
 * them and the exposure view derived from it. It verifies no signature (the attestation it
 * is given was verified before); each {@link ExposureState.decide} re-decides over all four
 * lists (a change in one list can only be judged against the whole manifest, e.g. a rename)
 * and reports, as audit records, only the entries whose exposure changed.
 */
export class ExposureState {
  readonly settings: ResolvedGuardSettings;
  view = new ExposureView(undefined);
  decision: ListsDecision | undefined;
  private readonly raw: RawLists = emptyLists<unknown>();
  private readonly failed = new Map<ListName, string>();
  private readonly exposure = new Map<string, string>();
  private readonly signedDigests: Map<string, string>;
  /** The content the last decision was made over (see {@link ExposureState.decide}). */
  private decidedOver: string | undefined;

  constructor(readonly attestation: GuardAttestation, settings: GuardSettings | undefined) {
    this.settings = resolveGuardSettings(settings);
    this.signedDigests = new Map(entryDigests(attestation.manifest).map((d) => [`${d.list}\0${d.key}`, d.digest]));
  }

  /**
   * Reads `lists` from the server with the one page reader, sharing one byte budget across
   * them as capture does; a list whose capability the server did not declare is empty, and a
   * list that cannot be read in full is recorded as failed (see {@link ExposureState.setFailed}),
   * except a dynamic one, which is served empty with a `note`.
   */
  async read(lists: ListName[], request: PageRequest, capabilities: Record<string, unknown>, ctx: PageReadContext, note: (reason: string) => void): Promise<void> {
    const budget: ListBudget = { usedBytes: 0 };
    await Promise.all(lists.map(async (list) => {
      if (!capabilities[listSpec(list).capability]) return this.setList(list, []);
      try {
        this.setList(list, await readAllPages(request, list, ctx, budget));
      } catch (err) {
        // A dynamic list (the user's data, not signed) that cannot be read is served empty, as capture records it.
        if (this.attestation.manifest.dynamic?.includes(list as DynamicList)) {
          note(`${listSpec(list).method} could not be read (${(err as Error).message}); it is dynamic (not signed), so it is served empty`);
          return this.setList(list, []);
        }
        this.setFailed(list, (err as Error).message);
      }
    }));
  }

  /** Records a freshly read list. */
  setList(list: ListName, entries: unknown[]): void {
    this.raw[list] = entries;
    this.failed.delete(list);
  }

  /**
   * Records that a list could not be read. Under `filter` its entries are hidden until it
   * reads again (fail closed); under `warn` the last good read stays in place.
   */
  setFailed(list: ListName, reason: string): void {
    this.failed.set(list, reason);
    if (this.settings.enforce === 'filter') this.raw[list] = [];
  }

  /** Why `list` could not be read the last time, if it could not. */
  failure(list: ListName): string | undefined {
    return this.failed.get(list);
  }

  /**
   * Why a client's `method` for `list` cannot be answered from the view: the list could not be
   * read. Undefined when it can; under `warn` the last good read is served anyway.
   */
  unservable(list: ListName, method: string): string | undefined {
    const failure = this.failed.get(list);
    return failure !== undefined && this.settings.enforce !== 'warn' ? `${method} could not be read from the server: ${failure}` : undefined;
  }

  /**
   * Decides over the current lists and updates the view. Returns the decision and the audit
   * records of entries whose exposure changed (all of them the first time). A list that
   * failed to read refuses the session under `block`. Over the same facts, lists and read
   * failures as the last decision (by content) it returns that decision and no changes.
   */
  decide(facts: SessionFacts): { decision: ListsDecision; changes: Omit<AuditRecord, 'time' | 'server' | 'session'>[] } {
    // The decision is a function of what was read: over the same content it is the same
    // decision, with no exposure changed, and is not made again (a client listing tools on
    // every request re-reads them, but re-verifies only what changed).
    const over = createHash('sha256').update(JSON.stringify([facts, this.raw, [...this.failed]]) ?? '').digest('base64');
    if (this.decision !== undefined && over === this.decidedOver) return { decision: this.decision, changes: [] };
    const { manifest, rejected } = liveManifest({ ...facts, lists: this.raw }, this.attestation.manifest);
    const decision = decideLists(this.attestation, manifest, this.settings, rejected);
    if (this.failed.size > 0 && this.settings.enforce === 'block') {
      const reason = [...this.failed].map(([list, why]) => `${list} could not be read: ${why}`).join('; ');
      decision.verdict.decision = 'refuse';
      decision.verdict.ok = false;
      decision.verdict.refusal = { code: 'SESSION_REFUSED', reason };
      decision.exposed = emptyLists();
    }
    for (const list of Object.keys(decision.exposed) as ListName[]) decision.exposed[list] = inServerOrder(list, decision.exposed[list], this.raw[list]);
    this.decision = decision;
    this.decidedOver = over;
    this.view = new ExposureView(decision);
    return { decision, changes: this.exposureChanges(decision) };
  }

  private exposureChanges(decision: ListsDecision): Omit<AuditRecord, 'time' | 'server' | 'session'>[] {
    const out: Omit<AuditRecord, 'time' | 'server' | 'session'>[] = [];
    const now = new Map<string, Omit<AuditRecord, 'time' | 'server' | 'session'>>();
    const mismatched = new Map(decision.verdict.mismatched.map((m) => [`${m.list}\0${m.key}`, m]));
    for (const [list, entries] of Object.entries(decision.exposed) as [ListName, object[]][]) {
      for (const entry of entries) {
        const key = entryKey(list, entry);
        const mismatch = mismatched.get(`${list}\0${key}`);
        const digest = mismatch?.digest ?? this.signedDigests.get(`${list}\0${key}`);
        now.set(`${list}\0${key}`, {
          event: 'entry', decision: 'expose', entry: `${list}/${key}`, ...(digest ? { digest } : {}),
          ...(mismatch ? { code: mismatch.code, reason: `exposed under enforce: warn although ${mismatch.reason}` } : { reason: 'matches the signed entry' }),
        });
      }
    }
    for (const hidden of decision.hidden) {
      now.set(`${hidden.list}\0${hidden.key}`, {
        event: 'entry', decision: 'hide', entry: `${hidden.list}/${hidden.key}`, code: hidden.code, reason: hidden.reason,
        ...(hidden.digest ? { digest: hidden.digest } : {}),
      });
    }
    for (const [id, record] of now) {
      const fingerprint = `${record.decision}|${record.digest ?? ''}|${record.code ?? ''}`;
      if (this.exposure.get(id) !== fingerprint) out.push(record);
      this.exposure.set(id, fingerprint);
    }
    for (const id of [...this.exposure.keys()]) {
      if (!now.has(id)) {
        this.exposure.delete(id);
        const [list, key] = id.split('\0');
        out.push({ event: 'entry', decision: 'gone', entry: `${list}/${key}`, reason: 'the server no longer lists it' });
      }
    }
    return out;
  }
}

/**
 * The exposed entries in the order the server listed them. The manifest sorts entries by
 * key; a client must get the server's own order (MCP 2026-07-28 asks servers for a
 * deterministic order so that prompt caches hit, and sorting would change it).
 */
function inServerOrder(list: ListName, exposed: object[], raw: unknown[]): object[] {
  const field = LIST_KEYS[list];
  const position = new Map<unknown, number>();
  raw.forEach((entry, index) => {
    const key = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>)[field] : undefined;
    if (!position.has(key)) position.set(key, index);
  });
  const at = (entry: object): number => position.get((entry as Record<string, unknown>)[field]) ?? Number.MAX_SAFE_INTEGER;
  return [...exposed].sort((a, b) => at(a) - at(b));
}
