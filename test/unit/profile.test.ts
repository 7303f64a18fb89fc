import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BARE_PROFILE, buildManifest, FULL_PROFILE, parseClientProfile, profileFromManifest, resolveClientProfile,
} from '../../src/internal.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'toolseal-profile-')); });

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('client profiles', () => {
  it('resolves the built-in names', async () => {
    expect(await resolveClientProfile('bare')).toBe(BARE_PROFILE);
    expect(await resolveClientProfile('full')).toBe(FULL_PROFILE);
    expect(BARE_PROFILE.capabilities).toEqual({});
    expect(Object.keys(FULL_PROFILE.capabilities).sort()).toEqual(['elicitation', 'roots', 'sampling', 'tasks']);
    expect(Object.isFrozen(FULL_PROFILE.capabilities.roots)).toBe(true);
  });

  it('reads a profile file', async () => {
    const path = await file('roots.json', '{"name": "roots-only", "capabilities": {"roots": {"listChanged": false}}}');
    expect(await resolveClientProfile(path)).toEqual({ name: 'roots-only', capabilities: { roots: { listChanged: false } } });
  });

  it('refuses a typo in a top-level key instead of capturing as a bare client', async () => {
    const path = await file('typo.json', '{"name": "x", "capabilites": {}}');
    await expect(resolveClientProfile(path)).rejects.toMatchObject({ code: 'PROFILE_INVALID' });
  });

  it('refuses wrong capability shapes, bad names and built-in names', async () => {
    expect(() => parseClientProfile({ name: 'x', capabilities: { roots: true } }, 'p')).toThrow(expect.objectContaining({ code: 'PROFILE_INVALID' }));
    expect(() => parseClientProfile({ name: 'x', capabilities: { roots: true } }, 'p')).toThrow(/\/capabilities\/roots/);
    expect(() => parseClientProfile({ name: 'has space', capabilities: {} }, 'p')).toThrow(expect.objectContaining({ code: 'PROFILE_INVALID' }));
    await expect(resolveClientProfile(await file('bare.json', '{"name": "bare", "capabilities": {"sampling": {}}}'))).rejects.toMatchObject({ code: 'PROFILE_INVALID' });
  });

  it('reads profile files strictly (duplicate keys) and names missing files', async () => {
    await expect(resolveClientProfile(await file('dup.json', '{"name": "a", "name": "b", "capabilities": {}}'))).rejects.toMatchObject({ code: 'JSON_DUPLICATE_KEY' });
    await expect(resolveClientProfile(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
  });

  it('recovers the profile a manifest was captured with', () => {
    const manifest = buildManifest({
      server: { name: 's', version: '1' },
      capture: { protocolVersion: '2025-11-25', clientProfile: 'custom-x', clientCapabilities: { sampling: {}, experimental: { foo: {} } } },
    });
    expect(profileFromManifest(manifest)).toEqual({ name: 'custom-x', capabilities: { sampling: {}, experimental: { foo: {} } } });
  });
});
