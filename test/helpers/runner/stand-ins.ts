import { execFileSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const HERE = import.meta.dirname;

/** A publisher's repository, as a workflow checks it out: an npm package whose build writes `dist/`. */
export interface ProjectOptions {
  /** The npm package name (`@acme/weather-mcp`); its bin is `weather-mcp` → `dist/index.js`. */
  name: string;
  version: string;
  /** The MCP server the build ships: `dist/index.js` (and `dist/server.js`) start this script. */
  server: string;
  /** Run the build now (a checkout with `dist/` committed, as the README excerpt assumes). */
  built?: boolean;
}

/**
 * Writes a package whose `npm run build` produces `dist/index.js` and `dist/server.js`, two
 * entries that start `server` (a real MCP server: server-everything or a fixture), with a
 * `package-lock.json` so `npm ci` works offline, and `files: ["dist"]` for `npm pack`.
 */
export async function writeProject(dir: string, options: ProjectOptions): Promise<void> {
  await mkdir(dir, { recursive: true });
  const bin = options.name.split('/').pop()!;
  const pkg = { name: options.name, version: options.version, type: 'module', bin: { [bin]: 'dist/index.js' }, files: ['dist'], scripts: { build: 'node build.mjs' } };
  const entry = `#!/usr/bin/env node\nawait import(${JSON.stringify(pathToFileURL(resolve(options.server)).href)});\n`;
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  await writeFile(join(dir, 'package-lock.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages: { '': { name: pkg.name, version: pkg.version, bin: pkg.bin } } }, null, 2)}\n`);
  await writeFile(join(dir, 'build.mjs'), [
    "import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';",
    "mkdirSync('dist', { recursive: true });",
    `for (const file of ['dist/index.js', 'dist/server.js']) { writeFileSync(file, ${JSON.stringify(entry)}); chmodSync(file, 0o755); }`,
    '',
  ].join('\n'));
  if (options.built) execFileSync(process.execPath, ['build.mjs'], { cwd: dir });
}

/** Where the stand-ins keep GitHub releases and the npm registry's tarballs. */
export interface StandIns {
  /** Put first on PATH: `gh` and `npm`. */
  bin: string;
  releases: string;
  registry: string;
  /** Variables the stand-ins read; give them to the runner's environment. */
  env: Record<string, string>;
}

/**
 * `gh` (see `gh.mjs`: releases in a folder, immutable once published, no silent clobber) and an
 * `npm` that is the real npm except for the registry: `npm publish <tarball>` copies the
 * tarball into the registry folder (it needs NODE_AUTH_TOKEN, as npm does), and
 * `npm install --no-save <@scope/name@version>` installs that tarball from there.
 */
export async function writeStandIns(dir: string): Promise<StandIns> {
  const bin = join(dir, 'bin');
  const releases = join(dir, 'releases');
  const registry = join(dir, 'registry');
  await Promise.all([mkdir(bin, { recursive: true }), mkdir(releases, { recursive: true }), mkdir(registry, { recursive: true })]);
  const realNpm = execFileSync('bash', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
  await writeFile(join(bin, 'gh'), `#!/usr/bin/env bash\nexec "${process.execPath}" "${join(HERE, 'gh.mjs')}" "$@"\n`);
  await writeFile(join(bin, 'npm'), [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    'if [ "${1:-}" = publish ]; then',
    '  [ -n "${NODE_AUTH_TOKEN:-}" ] || { echo "npm error code ENEEDAUTH" >&2; exit 1; }',
    '  cp "$2" "$NPM_STANDIN_REGISTRY/"; echo "+ $(basename "$2")"; exit 0',
    'fi',
    'if [ "${1:-}" = install ] && [ "${2:-}" = --no-save ] && [[ "${3:-}" == @*/*@* ]]; then',
    '  spec="${3#@}"; scope="${spec%%/*}"; rest="${spec#*/}"',
    '  exec "$REAL_NPM" install --no-save "$NPM_STANDIN_REGISTRY/${scope}-${rest%@*}-${rest##*@}.tgz"',
    'fi',
    'exec "$REAL_NPM" "$@"',
    '',
  ].join('\n'));
  await Promise.all([chmod(join(bin, 'gh'), 0o755), chmod(join(bin, 'npm'), 0o755)]);
  return { bin, releases, registry, env: { GH_RELEASES: releases, NPM_STANDIN_REGISTRY: registry, REAL_NPM: realNpm } };
}
