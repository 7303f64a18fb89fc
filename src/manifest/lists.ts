import type { Manifest } from './schema.js';

/**
 * The one table of the four lists an MCP server declares. Every other place that needs a
 * list's key field, request method, result field, capability or `list_changed`
 * notification derives it from here, so the lists cannot drift apart between capture,
 * manifest, compare and guard.
 */
export const LISTS = Object.freeze([
  {
    name: 'tools', key: 'name', method: 'tools/list', resultKey: 'tools', capability: 'tools',
    changed: 'notifications/tools/list_changed', noun: 'tool',
  },
  {
    name: 'prompts', key: 'name', method: 'prompts/list', resultKey: 'prompts', capability: 'prompts',
    changed: 'notifications/prompts/list_changed', noun: 'prompt',
  },
  {
    name: 'resources', key: 'uri', method: 'resources/list', resultKey: 'resources', capability: 'resources',
    changed: 'notifications/resources/list_changed', noun: 'resource',
  },
  {
    // Templates have no notification of their own: MCP announces their changes with the resources one.
    name: 'resourceTemplates', key: 'uriTemplate', method: 'resources/templates/list', resultKey: 'resourceTemplates',
    capability: 'resources', changed: 'notifications/resources/list_changed', noun: 'resource template',
  },
] as const);

/** One row of {@link LISTS}. */
export type ListSpec = (typeof LISTS)[number];

/** Name of one of the manifest's entry lists (also its field in the manifest). */
export type ListName = ListSpec['name'];

/** One of the four paginated MCP list requests. */
export type ListMethod = ListSpec['method'];

/** The four list names, in manifest order. */
export const LIST_NAMES: readonly ListName[] = Object.freeze(LISTS.map((l) => l.name));

/** The key each list is sorted, matched and diffed by. */
export const LIST_KEYS = Object.freeze(Object.fromEntries(LISTS.map((l) => [l.name, l.key]))) as {
  readonly [L in ListSpec as L['name']]: L['key'];
};

const BY_NAME = new Map<string, ListSpec>(LISTS.map((l) => [l.name, l]));
const BY_METHOD = new Map<string, ListSpec>(LISTS.map((l) => [l.method, l]));

/** The row of one list. */
export function listSpec(list: ListName): ListSpec {
  return BY_NAME.get(list)!;
}

/** True when `name` names one of the four lists (own names only: `__proto__` is not a list). */
export function isListName(name: string | undefined): name is ListName {
  return name !== undefined && BY_NAME.has(name);
}

/** The list a request method reads, or undefined when it is not a list request. */
export function listOfMethod(method: string | undefined): ListSpec | undefined {
  return method === undefined ? undefined : BY_METHOD.get(method);
}

/** The lists a `list_changed` notification invalidates (empty for any other method). */
export function listsChangedBy(method: string | undefined): ListName[] {
  return LISTS.filter((l) => l.changed === method).map((l) => l.name);
}

/** The key of one entry of `list`, as a string. */
export function entryKey(list: ListName, entry: object): string {
  return String((entry as Record<string, unknown>)[LIST_KEYS[list]]);
}

/** Four empty lists. */
export function emptyLists<T = object>(): Record<ListName, T[]> {
  return { tools: [], prompts: [], resources: [], resourceTemplates: [] };
}

/** How many entries each list of a manifest holds. */
export function entryCounts(manifest: Pick<Manifest, ListName>): Record<ListName, number> {
  return { tools: manifest.tools.length, prompts: manifest.prompts.length, resources: manifest.resources.length, resourceTemplates: manifest.resourceTemplates.length };
}
