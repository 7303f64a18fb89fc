import { build } from 'esbuild';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/index.js';

/** The repository root, found from this file both as TypeScript (scripts/) and compiled (dist/scripts/). */
async function repoRoot(): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'toolseal') return dir;
    } catch { /* not here: go up */ }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('build-action: could not find the toolseal package root');
    dir = parent;
  }
}

/**
 * Bundles the Action's entry (`action/src/index.ts`) and everything it imports into one ESM
 * file for the runner's node24, and returns its text. Deterministic: no timestamps, no
 * absolute paths, no source maps, so the committed `action/dist/index.js` can be checked
 * byte for byte. CommonJS dependencies call `require` at run time, so the banner gives the
 * ESM bundle one through `createRequire`.
 */
export async function bundleAction(): Promise<string> {
  const root = await repoRoot();
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['action/src/index.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    legalComments: 'eof',
    charset: 'utf8',
    write: false,
    logLevel: 'warning',
    banner: {
      js: "import{createRequire as __toolsealRequire}from'node:module';const require=__toolsealRequire(import.meta.url);",
    },
  });
  const text = result.outputFiles[0]!.text;
  if (text.includes(root)) throw new Error(`build-action: the bundle contains the absolute path ${root}; it would differ on every machine.`);
  return text;
}

/** Writes the bundle to `outfile` (default `action/dist/index.js`). */
export async function buildAction(outfile?: string): Promise<string> {
  const target = outfile ?? join(await repoRoot(), 'action', 'dist', 'index.js');
  const text = await bundleAction();
  await mkdir(dirname(target), { recursive: true });
  await writeFileAtomic(target, text);
  return target;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const written = await buildAction(process.argv[2]);
  const size = Buffer.byteLength(await readFile(written, 'utf8'));
  process.stdout.write(`wrote ${relative(process.cwd(), written)} (${(size / 1024).toFixed(0)} KiB)\n`);
}
