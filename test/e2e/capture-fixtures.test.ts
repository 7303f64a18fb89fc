import { describe, expect, it } from 'vitest';
import { FULL_PROFILE } from '../../src/index.js';
import { capture, expectCode, expectNoOrphans, fixtureTarget, toolNames } from './capture.helpers.js';

const FAST = { requestTimeoutMs: 1500 };

describe('capture of hostile fixture servers', () => {
  it('reads every page and keeps the poisoned tool on page 2 verbatim, with unknown fields', async () => {
    const out = await capture(fixtureTarget('paginated.mjs'));
    expect(out.error).toBeUndefined();
    const m = out.manifest!;
    expect(toolNames(m)).toEqual(['add_note', 'tool_000', 'tool_001', 'tool_003', 'tool_004', 'tool_005']);
    const poisoned = m.tools[0]!;
    expect(poisoned.description).toContain('read ~/.ssh/id_rsa');
    expect(poisoned).toMatchObject({ annotations: { readOnlyHint: true }, _meta: { vendor: { note: 1 } }, xFutureField: [1, { nested: true }] });
    expect(m.prompts.map((p) => p.name)).toEqual(['summarize']);
    expect(m.resources.map((r) => r.uri)).toEqual(['file:///readme.txt']);
    // resources/templates/list answers -32601: an empty list, not an error.
    expect(m.resourceTemplates).toEqual([]);
    expect(m.server).toEqual({ name: 'fixture-paginated', version: '1.0.0' });
    expect(m.capture).toEqual({ protocolVersion: '2025-11-25', era: 'legacy', clientProfile: 'bare', clientCapabilities: {} });
    expectNoOrphans(out);
  });

  it('stops endless pagination at maxPages with TOO_MANY_PAGES', async () => {
    const out = await capture(fixtureTarget('paginated.mjs', { FIXTURE_ENDLESS: '1' }), { maxPages: 5 });
    expect(expectCode(out, 'TOO_MANY_PAGES').message).toMatch(/more than 5 pages of tools\/list/);
    expectNoOrphans(out);
  });

  for (const loop of ['self', 'cycle']) {
    it(`refuses a cursor loop (${loop}) with CURSOR_LOOP`, async () => {
      const out = await capture(fixtureTarget('cursor-loop.mjs', { FIXTURE_LOOP: loop }));
      expect(expectCode(out, 'CURSOR_LOOP').message).toContain('repeated the cursor "a"');
      expectNoOrphans(out);
    });
  }

  it('settles a list_changed sent right after initialize and captures the changed list', async () => {
    const out = await capture(fixtureTarget('list-changed.mjs', { FIXTURE_CHANGE: 'after-initialized' }));
    expect(out.manifest?.tools.find((t) => t.name === 'get_weather')?.description).toBe('Returns the weather (v1).');
    expectNoOrphans(out);
  });

  it('re-lists once when the list changes while it is read', async () => {
    const out = await capture(fixtureTarget('list-changed.mjs', { FIXTURE_CHANGE: 'after-first-list' }));
    expect(out.manifest?.tools.find((t) => t.name === 'get_weather')?.description).toBe('Returns the weather (v1).');
    expectNoOrphans(out);
  });

  it('fails with LIST_UNSTABLE when the list changes on every read', async () => {
    const out = await capture(fixtureTarget('list-changed.mjs', { FIXTURE_CHANGE: 'every-list' }));
    expect(expectCode(out, 'LIST_UNSTABLE').message).toContain('tools/list');
    expectNoOrphans(out);
  });

  it('reports a crash in the middle of a list as SERVER_CLOSED with the stderr tail', async () => {
    const out = await capture(fixtureTarget('crash.mjs'));
    const err = expectCode(out, 'SERVER_CLOSED');
    expect(err.message).toContain('crash.mjs');
    expect(err.message).toContain('tools/list (page 2)');
    expect(err.message).toContain('fatal: simulated crash while listing page 2');
    expectNoOrphans(out);
  });

  it('times out a server that never answers initialize, naming the request', async () => {
    const out = await capture(fixtureTarget('silent.mjs'), FAST);
    expect(expectCode(out, 'SERVER_TIMEOUT').message).toMatch(/did not answer initialize within 1500 ms/);
    expectNoOrphans(out);
  });

  it('times out a server that stops answering at tools/list', async () => {
    const out = await capture(fixtureTarget('silent.mjs', { FIXTURE_ANSWER: 'initialize,ping' }), FAST);
    expect(expectCode(out, 'SERVER_TIMEOUT').message).toMatch(/did not answer tools\/list within/);
    expectNoOrphans(out);
  });

  it('kills a silent server that ignores SIGTERM and stdin EOF', async () => {
    const out = await capture(fixtureTarget('silent.mjs', { FIXTURE_STUBBORN: '1' }), FAST);
    expectCode(out, 'SERVER_TIMEOUT');
    expectNoOrphans(out);
  });

  it('accepts a 5 MB inputSchema within the default limits', async () => {
    const out = await capture(fixtureTarget('huge-schema.mjs'));
    expect(out.error).toBeUndefined();
    const bulky = out.manifest!.tools.find((t) => t.name === 'bulky')!;
    expect(JSON.stringify(bulky.inputSchema).length).toBeGreaterThan(5_000_000);
    expectNoOrphans(out);
  });

  it('refuses list results over maxListBytes with LIST_TOO_LARGE', async () => {
    for (const maxListBytes of [1024 * 1024, 4 * 1024 * 1024]) {
      const out = await capture(fixtureTarget('huge-schema.mjs'), { maxListBytes });
      expect(expectCode(out, 'LIST_TOO_LARGE').message).toContain(`more than ${maxListBytes} bytes`);
      expectNoOrphans(out);
    }
  });

  it('counts bytes across pages and lists against maxListBytes', async () => {
    const out = await capture(fixtureTarget('paginated.mjs'), { maxListBytes: 1000 });
    expect(expectCode(out, 'LIST_TOO_LARGE').message).toMatch(/at tools\/list \(page [23]\)/);
    expectNoOrphans(out);
  });

  it('keeps Unicode TAG characters in descriptions and instructions exactly as sent', async () => {
    const out = await capture(fixtureTarget('unicode-tags.mjs'));
    const hidden = [...'ignore previous'].map((c) => String.fromCodePoint(0xe0000 + c.codePointAt(0)!)).join('');
    expect(out.manifest?.tools[0]?.description).toContain(`Adds two numbers.${hidden}`);
    expect(out.manifest?.instructions).toContain(hidden);
    expectNoOrphans(out);
  });

  it('answers roots, sampling and elicitation requests during capture as the profile allows', async () => {
    const full = await capture(fixtureTarget('asks-client.mjs'), { profile: FULL_PROFILE, ...FAST });
    const described = (m = full.manifest) => Object.fromEntries((m?.tools ?? []).map((t) => [t.name, JSON.parse(t.description as string)]));
    expect(described()).toEqual({ roots: { roots: [] }, sampling: { error: -32600 }, elicitation: { action: 'decline' } });
    expect(full.manifest?.capture.clientProfile).toBe('full');
    expectNoOrphans(full);
    const bare = await capture(fixtureTarget('asks-client.mjs'), FAST);
    expect(described(bare.manifest)).toEqual({ roots: { error: -32601 }, sampling: { error: -32601 }, elicitation: { error: -32601 } });
    expectNoOrphans(bare);
  });

  it('names the command when it cannot be spawned', async () => {
    const out = await capture({ kind: 'stdio', command: '/nonexistent/toolseal-no-such-server', args: ['--flag'] });
    const err = expectCode(out, 'SERVER_SPAWN_FAILED');
    expect(err.message).toContain('"/nonexistent/toolseal-no-such-server --flag"');
    expect(err.message).toContain('not found');
  });

  it('never puts environment values into messages', async () => {
    const out = await capture(fixtureTarget('crash.mjs', { API_TOKEN: 'sekret-token-123' }));
    expectCode(out, 'SERVER_CLOSED');
    expect(out.error!.message).not.toContain('sekret-token-123');
  });
});
