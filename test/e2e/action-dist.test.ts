import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { INPUT_NAMES } from '../../action/src/inputs.js';
import { bundleAction } from '../../scripts/build-action.js';

const committed = (path: string) => readFile(new URL(`../../action/${path}`, import.meta.url), 'utf8');

describe('action/dist/index.js, the committed bundle the runner executes', () => {
  it('is exactly what building the sources gives now (run npm run build:action and commit when this fails)', async () => {
    const [built, onDisk] = await Promise.all([bundleAction(), committed('dist/index.js')]);
    expect(built.length).toBe(onDisk.length);
    expect(built === onDisk).toBe(true);
  });

  it('is one self-contained ESM file of reasonable size, with no absolute path of the build machine', async () => {
    const text = await committed('dist/index.js');
    expect(text.length).toBeLessThan(2.5 * 1024 * 1024);
    expect(text.startsWith("import{createRequire as __toolsealRequire}from'node:module';")).toBe(true);
    expect(text).not.toContain(process.cwd());
    expect(text).not.toMatch(/from"\.\.?\//);
  });
});

describe('action/action.yml', () => {
  it('runs the bundle on node24 and declares exactly the inputs the entry reads', async () => {
    const yml = await committed('action.yml');
    expect(yml).toMatch(/^runs:\n {2}using: node24\n {2}main: dist\/index\.js$/m);
    const section = (name: string) => {
      const body = yml.slice(yml.indexOf(`\n${name}:\n`) + name.length + 3);
      const end = body.search(/^\S/m);
      return [...(end < 0 ? body : body.slice(0, end)).matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1]!);
    };
    expect(section('inputs').sort()).toEqual([...INPUT_NAMES]);
    expect(section('outputs').sort()).toEqual(['bundle-path', 'diff', 'manifest-digest', 'manifest-path', 'verified']);
    expect(yml).toMatch(/ {2}bundle:\n.*\n.*\n {4}default: mcp-manifest\.sigstore\.json/);
  });
});
