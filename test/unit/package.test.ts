import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (file: string): Promise<string> => readFile(join(ROOT, file), 'utf8');

describe('what a fresh clone and the npm page show', () => {
  it('the README states the same Node versions as engines', async () => {
    const pkg = JSON.parse(await read('package.json')) as { engines: { node: string } };
    const readme = await read('README.md');
    const stated = /Requires Node\.js `([^`]+)`/.exec(readme)?.[1];
    expect(stated).toBe(pkg.engines.node);
  });

  it('LICENSE is the Apache License 2.0 that package.json names', async () => {
    const pkg = JSON.parse(await read('package.json')) as { license: string };
    const license = await read('LICENSE');
    expect(pkg.license).toBe('Apache-2.0');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004\s+http:\/\/www\.apache\.org\/licenses\//);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });

  it('package.json names the repository and homepage', async () => {
    const pkg = JSON.parse(await read('package.json')) as { repository?: { type: string; url: string }; homepage?: string };
    expect(pkg.repository).toEqual({ type: 'git', url: expect.stringMatching(/^git\+https:\/\/github\.com\/[^/]+\/[^/]+\.git$/) });
    expect(pkg.homepage).toMatch(/^https:\/\/github\.com\//);
  });
});
