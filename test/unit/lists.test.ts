import { describe, expect, it } from 'vitest';
import { ManifestSchema } from '../../src/manifest/schema.js';
import { entryKey, isListName, LIST_KEYS, LIST_NAMES, listOfMethod, listsChangedBy, listSpec } from '../../src/manifest/lists.js';

describe('the list table', () => {
  it('names exactly the manifest\'s entry lists, each keyed by the field its entry schema requires', () => {
    const shape = ManifestSchema.shape as Record<string, unknown>;
    for (const list of LIST_NAMES) expect(shape[list]).toBeDefined();
    expect(LIST_KEYS).toEqual({ tools: 'name', prompts: 'name', resources: 'uri', resourceTemplates: 'uriTemplate' });
    const entry = ManifestSchema.shape.tools.element;
    expect(entry.safeParse({ name: 'x' }).success).toBe(true);
    expect(entry.safeParse({ uri: 'x' }).success).toBe(false);
  });

  it('maps request methods, capabilities and list_changed notifications both ways', () => {
    expect(listOfMethod('resources/templates/list')?.name).toBe('resourceTemplates');
    expect(listOfMethod('tools/call')).toBeUndefined();
    expect(listSpec('resourceTemplates').capability).toBe('resources');
    expect(listsChangedBy('notifications/resources/list_changed')).toEqual(['resources', 'resourceTemplates']);
    expect(listsChangedBy('notifications/tools/list_changed')).toEqual(['tools']);
    expect(listsChangedBy('notifications/message')).toEqual([]);
  });

  it('knows only its own list names (no inherited member is a list)', () => {
    expect(isListName('tools')).toBe(true);
    expect(isListName('__proto__')).toBe(false);
    expect(isListName('toString')).toBe(false);
    expect(isListName(undefined)).toBe(false);
    expect(entryKey('resources', { uri: 'file:///a' })).toBe('file:///a');
  });
});
