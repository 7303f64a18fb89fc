#!/usr/bin/env node
// A stand-in for the GitHub CLI's `gh release` commands, for the runner harness: releases live
// in $GH_RELEASES/<owner>/<name>/<tag>/ (assets, and release.json with `draft`). It behaves as
// gh and GitHub do where the docs depend on it: it needs GH_TOKEN, an existing asset is never
// replaced without --clobber, and a published release is immutable (no asset added or replaced).
// Every call is appended to $GH_RELEASES/calls.jsonl.
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const die = (message) => { process.stderr.write(`${message}\n`); process.exit(1); };
const args = process.argv.slice(2);
const root = process.env.GH_RELEASES ?? die('gh stand-in: GH_RELEASES is not set');
appendFileSync(join(root, 'calls.jsonl'), `${JSON.stringify(args)}\n`);
if (!process.env.GH_TOKEN) die('gh: To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment variable.');
const flag = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args.splice(i, 2)[1];
};
const repo = flag('--repo') ?? process.env.GITHUB_REPOSITORY;
const [group, command, tag, ...rest] = args;
if (group !== 'release') die(`gh stand-in: only "gh release" is supported, not ${group}`);
const dir = join(root, repo, tag ?? '');
const meta = join(dir, 'release.json');
const release = () => (existsSync(meta) ? JSON.parse(readFileSync(meta, 'utf8')) : die(`release not found: ${tag}`));

if (command === 'create') {
  if (existsSync(meta)) die(`a release with the same tag name already exists: ${tag}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(meta, JSON.stringify({ draft: rest.includes('--draft') }));
} else if (command === 'upload') {
  const { draft } = release();
  const clobber = rest.includes('--clobber');
  for (const file of rest.filter((a) => !a.startsWith('--'))) {
    if (!draft) die(`HTTP 422: Cannot upload assets to an immutable release (${tag} is published).`);
    const target = join(dir, basename(file));
    if (existsSync(target) && !clobber) die(`asset under the same name already exists: [${basename(file)}]`);
    copyFileSync(file, target);
  }
} else if (command === 'edit') {
  const state = release();
  if (rest.includes('--draft=false')) state.draft = false;
  writeFileSync(meta, JSON.stringify(state));
} else if (command === 'download') {
  const pattern = flag('--pattern') ?? die('gh stand-in: download needs --pattern');
  if (release().draft) die(`release not found: ${tag}`);
  const regexp = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  const assets = readdirSync(dir).filter((f) => f !== 'release.json' && regexp.test(f));
  if (assets.length === 0) die(`no assets match the file pattern ${pattern}`);
  for (const asset of assets) {
    if (existsSync(asset)) die(`${asset} already exists (use --clobber to overwrite)`);
    copyFileSync(join(dir, asset), asset);
  }
} else {
  die(`gh stand-in: "gh release ${command}" is not supported`);
}
