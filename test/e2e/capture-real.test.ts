import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BARE_PROFILE, FULL_PROFILE, manifestDigest, profileFromManifest } from '../../src/internal.js';
import { capture, EVERYTHING_BIN, expectCode, expectNoOrphans, FILESYSTEM_BIN, toolNames } from './capture.helpers.js';
import { freePort, startEverythingHttp, startHttpFixture, type RunningServer } from './capture-servers.helpers.js';

const everything = { kind: 'stdio' as const, command: EVERYTHING_BIN, args: ['stdio'] };
/** Tools server-everything 2026.8.31 registers only for a client that declares roots, sampling, elicitation (form, url) and tasks. */
const CAPABILITY_TOOLS = [
  'get-roots-list', 'trigger-elicitation-request', 'trigger-elicitation-request-async',
  'trigger-sampling-request', 'trigger-sampling-request-async', 'trigger-url-elicitation',
];

describe('capture of @modelcontextprotocol/server-everything over stdio', () => {
  it('lists 13 tools to a bare client, and the same 13 twice with one digest', async () => {
    const first = await capture(everything, { profile: BARE_PROFILE });
    const second = await capture(everything, { profile: BARE_PROFILE });
    const m = first.manifest!;
    expect(m.tools).toHaveLength(13);
    expect(m.server).toEqual({ name: 'mcp-servers/everything', version: '2.0.0', title: 'Everything Reference Server' });
    expect(m.capture).toEqual({ protocolVersion: '2025-11-25', era: 'legacy', clientProfile: 'bare', clientCapabilities: {} });
    expect(m.instructions).toMatch(/\S/);
    expect(m.prompts.length).toBeGreaterThan(0);
    expect(m.resources.length).toBeGreaterThan(0);
    expect(m.resourceTemplates.length).toBeGreaterThan(0);
    expect(manifestDigest(second.manifest!)).toBe(manifestDigest(m));
    expectNoOrphans(first);
    expectNoOrphans(second);
  });

  it('lists 19 tools to a full client, deterministically, and records the capabilities', async () => {
    const first = await capture(everything, { profile: FULL_PROFILE });
    const second = await capture(everything, { profile: FULL_PROFILE });
    const bare = await capture(everything);
    const m = first.manifest!;
    expect(m.tools).toHaveLength(19);
    const extra = toolNames(m).filter((n) => !toolNames(bare.manifest).includes(n));
    expect(extra).toEqual(CAPABILITY_TOOLS);
    expect(m.capture.clientProfile).toBe('full');
    expect(m.capture.clientCapabilities).toEqual(FULL_PROFILE.capabilities);
    expect(profileFromManifest(m)).toEqual(FULL_PROFILE);
    expect(manifestDigest(second.manifest!)).toBe(manifestDigest(m));
    for (const o of [first, second, bare]) expectNoOrphans(o);
  });
});

describe('capture of @modelcontextprotocol/server-filesystem over stdio', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolseal-fs-'));
    await writeFile(join(dir, 'hello.txt'), 'hi\n');
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('captures the same tools with both profiles, deterministically', async () => {
    const target = { kind: 'stdio' as const, command: FILESYSTEM_BIN, args: [dir] };
    const bare = await capture(target);
    const full = await capture(target, { profile: FULL_PROFILE });
    const again = await capture(target, { profile: FULL_PROFILE });
    expect(toolNames(bare.manifest)).toContain('read_text_file');
    expect(toolNames(full.manifest)).toEqual(toolNames(bare.manifest));
    expect(full.manifest!.server.name).toMatch(/filesystem/);
    expect(manifestDigest(again.manifest!)).toBe(manifestDigest(full.manifest!));
    expect(manifestDigest(full.manifest!)).not.toBe(manifestDigest(bare.manifest!)); // the profile is part of what is signed
    for (const o of [bare, full, again]) expectNoOrphans(o);
  });
});

describe('capture over Streamable HTTP', () => {
  let fixture: RunningServer;
  let everythingHttp: RunningServer;
  beforeAll(async () => { [fixture, everythingHttp] = await Promise.all([startHttpFixture('tok-9f8e7d'), startEverythingHttp()]); });
  afterAll(async () => { await Promise.all([fixture?.stop(), everythingHttp?.stop()]); });

  it('captures server-everything over HTTP with the same lists as over stdio', async () => {
    const overHttp = await capture({ kind: 'http', url: everythingHttp.url }, { profile: FULL_PROFILE });
    const overStdio = await capture(everything, { profile: FULL_PROFILE });
    expect(overHttp.error).toBeUndefined();
    expect(overHttp.pids).toEqual([]);
    expect(manifestDigest(overHttp.manifest!)).toBe(manifestDigest(overStdio.manifest!));
  });

  it('sends the headers, and names the URL but not the token on failure', async () => {
    const ok = await capture({ kind: 'http', url: fixture.url, headers: { Authorization: 'Bearer tok-9f8e7d' } });
    expect(ok.error).toBeUndefined();
    expect(ok.manifest!.server).toEqual({ name: 'fixture-http', version: '3.1.4', title: 'HTTP fixture' });
    expect(toolNames(ok.manifest)).toEqual(['greet']);
    expect(ok.manifest!.prompts.map((p) => p.name)).toEqual(['welcome']);
    expect(ok.manifest!.instructions).toBe('Call greet to say hello.');
    const denied = await capture({ kind: 'http', url: `${fixture.url}?key=query-secret`, headers: { Authorization: 'Bearer wrong-secret' } });
    const err = expectCode(denied, 'SERVER_UNREACHABLE');
    expect(err.message).toContain(`${fixture.url}?…`);
    expect(err.message).not.toMatch(/wrong-secret|query-secret/);
  });

  it('reports a refused connection as SERVER_UNREACHABLE', async () => {
    const url = `http://127.0.0.1:${await freePort()}/mcp`;
    const out = await capture({ kind: 'http', url }, { requestTimeoutMs: 5000 });
    expect(expectCode(out, 'SERVER_UNREACHABLE').message).toContain('ECONNREFUSED');
  });

  it('refuses a malformed URL as input', async () => {
    const out = await capture({ kind: 'http', url: 'not a url' });
    expectCode(out, 'URL_INVALID');
  });
});
