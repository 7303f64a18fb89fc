import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildManifest, compareManifests, LIST_KEYS, manifestDigest, type Change, type ListName, type ManifestParts } from '../../src/internal.js';
import { escapePointer } from '../../src/io/strict-json.js';
import { manifestParts } from './properties.helpers.js';

const RUNS = { numRuns: 200 };
const LISTS = Object.keys(LIST_KEYS) as ListName[];

/** A place inside one entry: a leaf value, or the name of an object member. */
interface Site {
  list: ListName;
  index: number;
  tokens: string[]; // inside the entry
  target: 'leaf' | 'key';
  value: unknown;
  arrayPath?: string[]; // set when the leaf is an element of an array holding only primitives
}

function sites(parts: ManifestParts): Site[] {
  const out: Site[] = [];
  for (const list of LISTS) {
    (parts[list] ?? []).forEach((entry, index) => visit(entry, [], (site) => out.push({ list, index, ...site })));
  }
  return out.filter((s) => !(s.target === 'key' && s.tokens.length === 1 && s.tokens[0] === LIST_KEYS[s.list]));
}

function visit(node: unknown, tokens: string[], emit: (s: Omit<Site, 'list' | 'index'>) => void): void {
  if (Array.isArray(node)) {
    const primitive = node.every((v) => typeof v !== 'object' || v === null);
    node.forEach((v, i) => {
      if (typeof v === 'object' && v !== null) visit(v, [...tokens, String(i)], emit);
      else emit({ tokens: [...tokens, String(i)], target: 'leaf', value: v, ...(primitive ? { arrayPath: tokens } : {}) });
    });
  } else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      emit({ tokens: [...tokens, k], target: 'key', value: v });
      if (typeof v === 'object' && v !== null) visit(v, [...tokens, k], emit);
      else emit({ tokens: [...tokens, k], target: 'leaf', value: v });
    }
  }
}

/** A value that is certainly different from `v` in JSON terms. */
function other(v: unknown): unknown {
  if (typeof v === 'string') return `${v}~`;
  if (typeof v === 'number') return v === 0 ? 1 : -v;
  if (typeof v === 'boolean') return !v;
  return 0; // null
}

/** Applies the change at `site` to a copy of parts; returns the copy and the changes the diff must report. */
function mutate(parts: ManifestParts, site: Site): { parts: ManifestParts; entryKey: string; expected: Change[] } {
  const copy = structuredClone(parts);
  const entry = copy[site.list]![site.index] as Record<string, unknown>;
  const entryKey = String(entry[LIST_KEYS[site.list]]);
  const parent = site.tokens.slice(0, -1).reduce<any>((node, t) => node[t], entry);
  const last = site.tokens.at(-1)!;
  const base = `/${site.list}/${escapePointer(entryKey)}`;
  const at = (tokens: string[]): string => base + tokens.map((t) => `/${escapePointer(t)}`).join('');
  const kindOf = (name: string, v: unknown): Change['kind'] => ((name === 'description' || name === 'title') && typeof v === 'string' ? 'model-visible-text' : 'structural');
  if (site.target === 'key') {
    let renamed = `${last}~`;
    while (Object.hasOwn(parent, renamed)) renamed += '~';
    const value = parent[last];
    delete parent[last];
    parent[renamed] = value;
    const removed = { path: at(site.tokens), before: value, kind: kindOf(last, value) };
    const added = { path: at([...site.tokens.slice(0, -1), renamed]), after: value, kind: 'structural' as const };
    return { parts: copy, entryKey, expected: [removed, added].sort((a, b) => (a.path < b.path ? -1 : 1)) };
  }
  if (site.arrayPath) {
    const before = structuredClone(parent);
    parent[last] = other(parent[last]);
    return { parts: copy, entryKey, expected: [{ path: at(site.arrayPath), before, after: structuredClone(parent), kind: 'structural' }] };
  }
  parent[last] = other(site.value);
  return { parts: copy, entryKey, expected: [{ path: at(site.tokens), before: site.value, after: parent[last], kind: kindOf(last, site.value) }] };
}

/** A copy with every object's members and every list's entries in a shuffled order (arrays inside entries keep theirs). */
function reorder(parts: ManifestParts, rand: () => number): ManifestParts {
  const shuffle = <T>(xs: T[]): T[] => xs.map((x) => [rand(), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
  const deep = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(deep);
    if (typeof v !== 'object' || v === null) return v;
    return Object.fromEntries(shuffle(Object.entries(v)).map(([k, x]) => [k, deep(x)]));
  };
  const copy = deep(parts) as ManifestParts;
  for (const list of LISTS) copy[list] = shuffle(copy[list] ?? []);
  return copy;
}

describe('properties of digests and diffs over real-shaped manifests', () => {
  it('any single change to any leaf or member name of any entry changes the digest and is reported exactly where it is', () => {
    let checked = 0;
    fc.assert(fc.property(manifestParts, fc.nat(), (parts, pick) => {
      const all = sites(parts);
      const site = all[pick % all.length]!;
      const signed = buildManifest(parts);
      const { parts: liveParts, entryKey, expected } = mutate(parts, site);
      const live = buildManifest(liveParts);
      expect(manifestDigest(live)).not.toBe(manifestDigest(signed));
      const diff = compareManifests(signed, live);
      expect(diff.ok).toBe(false);
      expect(diff.added).toEqual([]);
      expect(diff.removed).toEqual([]);
      expect(diff.server).toEqual([]);
      if (site.target === 'leaf' && site.tokens.length === 1 && site.tokens[0] === LIST_KEYS[site.list]) {
        // Changing the key itself is a rename of an otherwise identical entry.
        const to = String(other(entryKey));
        expect(diff.renamed).toEqual([{ list: site.list, from: entryKey, to, changes: [
          { path: `/${site.list}/${escapePointer(to)}/${LIST_KEYS[site.list]}`, before: entryKey, after: to, kind: 'structural' },
        ] }]);
        expect(diff.changed).toEqual([]);
      } else {
        expect(diff.renamed).toEqual([]);
        expect(diff.changed).toHaveLength(1);
        expect(diff.changed[0]).toMatchObject({ list: site.list, key: entryKey });
        expect(diff.changed[0]!.changes).toEqual(expected);
      }
      checked++;
    }), RUNS);
    expect(checked).toBe(RUNS.numRuns);
  });

  it('reordering object members and list entries, then rebuilding, changes neither the digest nor the diff', () => {
    fc.assert(fc.property(manifestParts, fc.integer(), (parts, seed) => {
      let state = seed >>> 0;
      const rand = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
      const a = buildManifest(parts);
      const b = buildManifest(reorder(parts, rand));
      expect(manifestDigest(b)).toBe(manifestDigest(a));
      expect(compareManifests(a, b)).toMatchObject({ equal: true, ok: true, changed: [], added: [], removed: [], renamed: [], server: [] });
    }), RUNS);
  });

  it('swapping the sides swaps added and removed', () => {
    fc.assert(fc.property(manifestParts, manifestParts, (p, q) => {
      const a = buildManifest(p);
      const b = buildManifest({ ...p, tools: q.tools });
      const ab = compareManifests(a, b);
      const ba = compareManifests(b, a);
      expect(ba.added.map((e) => e.key)).toEqual(ab.removed.map((e) => e.key));
      expect(ba.removed.map((e) => e.key)).toEqual(ab.added.map((e) => e.key));
      expect(ba.changed.map((e) => e.key)).toEqual(ab.changed.map((e) => e.key));
      expect(ba.renamed.map((r) => [r.to, r.from])).toEqual(ab.renamed.map((r) => [r.from, r.to]));
    }), { numRuns: 100 });
  });
});
