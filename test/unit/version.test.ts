import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOOLSEAL_VERSION } from '../../src/index.js';

describe('toolseal --version', () => {
  it('reports the version package.json publishes', async () => {
    const pkg = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(TOOLSEAL_VERSION).toBe(pkg.version);
  });
});
