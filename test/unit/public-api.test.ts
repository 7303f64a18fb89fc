import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as publicApi from '../../src/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const libraryApi = readme.slice(readme.indexOf('## Library API'), readme.indexOf('## Policy reference'));
const indexSource = readFileSync(join(ROOT, 'src', 'index.ts'), 'utf8');

/** Every name `src/index.ts` exports, types included, read from its export lists. */
function exportedNames(source: string): string[] {
  const names: string[] = [];
  for (const [, list] of source.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
    for (const item of list!.split(',')) {
      const name = item.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!.trim();
      if (name) names.push(name);
    }
  }
  return names;
}

describe('the public API', () => {
  it('is a documented few dozen names: each one exported by src/index.ts is named in the README\'s Library API', () => {
    const names = exportedNames(indexSource);
    expect(names.length).toBeGreaterThan(40);
    expect(names.length).toBeLessThan(130);
    for (const value of Object.keys(publicApi)) expect(names).toContain(value);
    const undocumented = names.filter((n) => !libraryApi.includes(`\`${n}\``));
    expect(undocumented).toEqual([]);
  });

  it('keeps plumbing out: the internal entry is not published in package.json exports', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './package.json', './testing']);
    expect(JSON.stringify(pkg.exports)).not.toContain('internal');
    for (const plumbing of ['backoffMs', 'fetchWithRetry', 'classifyVerifyError', 'createProgressReporter', 'watchTransport', 'captureLimits', 'escapeHtml']) {
      expect(Object.keys(publicApi)).not.toContain(plumbing);
    }
  });
});
