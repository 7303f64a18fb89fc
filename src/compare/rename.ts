import { jsonDigest } from '../manifest/canonical.js';
import { LIST_KEYS, type ListName } from '../manifest/lists.js';
import { jsonEqual } from './diff-values.js';

type Entry = Record<string, unknown>;

/** The field whose value is the "shape" of an entry in a list, for near-rename matching. */
const SHAPE_FIELD: Partial<Record<ListName, string>> = { tools: 'inputSchema', prompts: 'arguments' };

/** A removed and an added entry judged to be one entry under a new key. */
export interface RenamePair {
  from: Entry;
  to: Entry;
}

/**
 * Pairs removed with added entries of one list that are the same entry under a new key.
 * The rule, in order of preference:
 *
 * 1. **identical**: with the key field removed, both entries have the same digest;
 * 2. **near**: both have the same non-empty `description` string and, for tools, the same
 *    `inputSchema` (for prompts, the same `arguments`); other fields (title, annotations,
 *    outputSchema, `_meta`) may differ and are then reported as the rename's changes.
 *
 * Entries are considered in key order and each entry pairs at most once, first by rule 1
 * across the whole list, then by rule 2, so the result is deterministic. Two tools that
 * merely share an empty schema never pair: rule 2 needs the same description too.
 * Pairing only changes how a difference is reported; a rename is never "ok".
 */
export function pairRenames(list: ListName, removed: Entry[], added: Entry[]): RenamePair[] {
  const keyField = LIST_KEYS[list];
  const free = { removed: new Set(removed), added: new Set(added) };
  const pairs: RenamePair[] = [];
  const body = new Map<Entry, string>();
  const bodyDigest = (e: Entry): string => {
    let d = body.get(e);
    if (d === undefined) {
      const { [keyField]: _key, ...rest } = e;
      d = jsonDigest(rest);
      body.set(e, d);
    }
    return d;
  };
  const rules = [
    (a: Entry, b: Entry) => bodyDigest(a) === bodyDigest(b),
    (a: Entry, b: Entry) => nearlySame(list, a, b),
  ];
  for (const rule of rules) {
    for (const from of removed) {
      if (!free.removed.has(from)) continue;
      const to = added.find((candidate) => free.added.has(candidate) && rule(from, candidate));
      if (!to) continue;
      free.removed.delete(from);
      free.added.delete(to);
      pairs.push({ from, to });
    }
  }
  return pairs;
}

function nearlySame(list: ListName, a: Entry, b: Entry): boolean {
  if (typeof a.description !== 'string' || a.description === '' || a.description !== b.description) return false;
  const shape = SHAPE_FIELD[list];
  return shape === undefined || jsonEqual(a[shape], b[shape]);
}
