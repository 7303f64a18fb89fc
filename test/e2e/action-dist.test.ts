import { builtinModules } from 'node:module';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { INPUT_NAMES } from '../../action/src/inputs.js';
import { bundleAction, listFiles } from '../../scripts/build-action.js';

const committed = (path: string) => readFile(new URL(`../../action/${path}`, import.meta.url), 'utf8');

/** Imports a dependency attempts inside try/catch for a feature toolseal never uses (undici's Negotiate proxy auth). */
const OPTIONAL_IMPORTS = new Set(['kerberos']);
const DIST = new URL('../../action/dist/', import.meta.url).pathname;

describe('action/dist/, the committed bundle the runner executes', () => {
  it('is exactly what building the sources gives now, file for file (run npm run build:action and commit when this fails)', async () => {
    const [built, onDisk] = await Promise.all([bundleAction(), listFiles(DIST)]);
    expect(onDisk).toEqual(Object.keys(built).sort());
    for (const [name, text] of Object.entries(built)) {
      const committedText = await committed(`dist/${name}`);
      expect(committedText.length, name).toBe(text.length);
      expect(committedText === text, name).toBe(true);
    }
  });

  it('is ESM of reasonable size importing only node: builtins and its own files, with no absolute path of the build machine', async () => {
    let total = 0;
    for (const name of await listFiles(DIST)) {
      const text = await committed(`dist/${name}`);
      total += text.length;
      expect(text.startsWith("import{createRequire as __toolsealRequire}from'node:module';"), name).toBe(true);
      expect(text, name).not.toContain(process.cwd());
      const specifiers = [...text.matchAll(/(?<![.\w$])(?:from|import\(?)\s*"([\w:./@-]+)"/g)].map((m) => m[1]!);
      for (const specifier of specifiers) {
        const allowed = /^\.\.?\/(chunks\/)?[\w-]+\.js$/.test(specifier) || builtinModules.includes(specifier.replace(/^node:/, ''))
          || OPTIONAL_IMPORTS.has(specifier);
        expect(allowed, `${name} imports ${specifier}`).toBe(true);
      }
    }
    expect(total).toBeLessThan(2.5 * 1024 * 1024);
  });

  it('index.js runs the step when the runner starts it; local.js only exports run() for @github/local-action', async () => {
    expect(await committed('dist/index.js')).toMatch(/await \w+\(\);\n?$/);
    expect(await committed('dist/local.js')).toMatch(/export\{\w+ as run\};\n?$/);
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
    expect(section('outputs').sort()).toEqual(['attestation-id', 'attestation-url', 'bundle-path', 'diff', 'manifest-digest', 'manifest-path', 'verified']);
    expect(yml).toMatch(/ {2}bundle:\n.*\n.*\n {4}default: mcp-manifest\.sigstore\.json/);
  });
});
