import { describe, expect, it } from 'vitest';
import { applyExclude, ManifestError } from '../../src/internal.js';
import { parseExcludePath } from '../../src/manifest/exclude.js';

const doc = {
  server: { name: 's', version: '1' },
  tools: [
    { name: 'a', _meta: { traceId: 't1', keep: 1 }, inputSchema: { properties: { 'x/y': { default: 1, description: 'd' } } } },
    { name: 'b', _meta: { traceId: 't2' } },
    { name: 'c' },
  ],
};

describe('exclude paths', () => {
  it('a * token matches every index of a list, leaving other fields and the input untouched', () => {
    const out = applyExclude(doc, ['/tools/*/_meta/traceId']);
    expect(out.tools.map((t) => t._meta)).toEqual([{ keep: 1 }, {}, undefined]);
    expect(doc.tools[0]!._meta!.traceId).toBe('t1'); // applyExclude works on a copy
  });

  it('* also matches every key of an object', () => {
    const out = applyExclude({ tools: [{ name: 'a', m: { p: { v: 1, k: 2 }, q: { v: 3 } } }] }, ['/tools/*/m/*/v']);
    expect(out.tools[0]!.m).toEqual({ p: { k: 2 }, q: {} });
  });

  it('unescapes ~1 to / and ~0 to ~ (in that order, per RFC 6901)', () => {
    expect(parseExcludePath('/tools/*/inputSchema/properties/x~1y/default')).toEqual(['tools', '*', 'inputSchema', 'properties', 'x/y', 'default']);
    expect(parseExcludePath('/a~01')).toEqual(['a~1']);
    const out = applyExclude(doc, ['/tools/0/inputSchema/properties/x~1y/default']);
    expect(out.tools[0]!.inputSchema!.properties['x/y']).toEqual({ description: 'd' });
  });

  it('a path to nothing removes nothing', () => {
    expect(applyExclude(doc, ['/tools/*/nothing/here'])).toEqual(doc);
  });

  it.each([
    ['/tools/3', 'whole entries'],
    ['/tools/*', 'whole entries'],
    ['/resources', 'whole entries'],
    ['/prompts/*', 'whole entries'],
    ['/capture/protocolVersion', 'every manifest must keep'],
    ['/exclude', 'every manifest must keep'],
    ['/mediaType', 'every manifest must keep'],
    ['tools/*/_meta', 'must start with "/"'],
  ])('refuses %s', (path, reason) => {
    expect(() => applyExclude(doc, [path])).toThrow(ManifestError);
    expect(() => applyExclude(doc, [path])).toThrow(reason);
  });

  it('refuses a path that ends on an array element', () => {
    const withArray = { tools: [{ name: 'a', tags: ['x', 'y'] }] };
    expect(() => applyExclude(withArray, ['/tools/*/tags/0'])).toThrow(expect.objectContaining({ code: 'EXCLUDE_PATH_INVALID' }));
    expect(() => applyExclude(withArray, ['/tools/*/tags/0'])).toThrow(/array element/);
  });
});
