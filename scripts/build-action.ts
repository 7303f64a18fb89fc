import { build } from 'esbuild';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/internal.js';

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

/** The entries: what the runner starts, and what `@github/local-action` imports. */
const ENTRIES = { index: 'action/src/index.ts', local: 'action/src/local.ts' };

/**
 * Bundles the Action's entries (`action/src/index.ts` for the runner, `action/src/local.ts`
 * exporting `run()` for `@github/local-action`) and everything they import into ESM files
 * for the runner's node24: one small file per entry and the shared code in `chunks/`. Returns
 * each file's text by its path under `action/dist/`. Deterministic: no timestamps, no
 * absolute paths, no source maps, content-hashed chunk names, so the committed files can be
 * checked byte for byte. CommonJS dependencies call `require` at run time, so the banner
 * gives every ESM file one through `createRequire`.
 */
export async function bundleAction(): Promise<Record<string, string>> {
  const root = await repoRoot();
  const outdir = join(root, 'action', 'dist');
  const result = await build({
    absWorkingDir: root,
    entryPoints: ENTRIES,
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
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
  const files: Record<string, string> = {};
  for (const file of result.outputFiles) {
    if (file.text.includes(root)) throw new Error(`build-action: ${relative(root, file.path)} contains the absolute path ${root}; it would differ on every machine.`);
    files[relative(outdir, file.path).split(sep).join('/')] = file.text;
  }
  return files;
}

/** Every file under `dir`, by its path relative to `dir` with `/` separators. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/')).sort();
}

/**
 * Writes the bundle into `outdir` (default `action/dist/`) and removes any file there that
 * the build no longer makes (an old chunk), so the folder is exactly what the sources build.
 */
export async function buildAction(outdir?: string): Promise<{ dir: string; files: string[] }> {
  const dir = outdir ?? join(await repoRoot(), 'action', 'dist');
  const files = await bundleAction();
  await mkdir(dir, { recursive: true });
  for (const stale of (await listFiles(dir)).filter((f) => !(f in files))) await rm(join(dir, stale));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFileAtomic(join(dir, name), text);
  }
  return { dir, files: Object.keys(files).sort() };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { dir, files } = await buildAction(process.argv[2]);
  for (const name of files) {
    const size = (await stat(join(dir, name))).size;
    process.stdout.write(`wrote ${relative(process.cwd(), join(dir, name))} (${(size / 1024).toFixed(0)} KiB)\n`);
  }
}
