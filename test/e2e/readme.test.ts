import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';

// The README's examples, run as written. Blocks marked `<!-- readme-test: NAME -->` are
// executed; `toolseal` is the built CLI (as `npm install` would link it) and `npx` is the real
// npx: `npx -y @modelcontextprotocol/server-everything` (and server-filesystem) resolve to the
// devDependencies in this repository's node_modules. The npm registry is pointed at a closed loopback port, so any
// network access npx tried would fail the test: the walk-through needs no network.
const ROOT = join(import.meta.dirname, '..', '..');

function block(readme: string, name: string): string {
  const match = new RegExp(`<!-- readme-test: ${name} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!match) throw new Error(`README has no block marked readme-test: ${name}`);
  return match[1]!;
}

function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('README examples', () => {
  let readme: string;
  let work: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    await mkdir(join(ROOT, '.readme-test'), { recursive: true });
    work = await mkdtemp(join(ROOT, '.readme-test', 'run-'));
    const bin = join(work, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'toolseal'), `#!/usr/bin/env bash\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    await chmod(join(bin, 'toolseal'), 0o755);
    env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' };
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('the 5-minute walk-through runs and prints what the README says', async () => {
    const result = await run('bash', ['-euo', 'pipefail', '-c', block(readme, 'walkthrough')], work, env);
    expect(result.stderr).not.toMatch(/error \[|npm error/);
    expect(result.code).toBe(0);
    const printed = /Step 6 prints:\n\n```\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(result.stdout).toContain(printed);
    expect(result.stdout).toContain('OK: mcp-servers/everything 2.0.0 is verified and the live server matches the signed manifest.');
    expect(result.stdout).toContain('UNVERIFIED claims of this bundle');
  });

  it('the admission walk-through runs and prints what the README says', async () => {
    const dir = await mkdtemp(join(work, 'admission-'));
    const result = await run('bash', ['-euo', 'pipefail', '-c', block(readme, 'admission')], dir, env);
    expect(result.stderr).not.toMatch(/error \[|unexpected/);
    expect(result.code).toBe(0);
    const printed = /Steps 11 and 12 print:\n\n```\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(result.stdout).toContain(printed);
    expect(result.stdout).toContain('everything: NOT APPROVED');
    expect(result.stdout).toContain('1 server(s): 1 approved.');
  }, 180_000); // a dozen CLI runs, each starting the real server: minutes on a loaded machine

  it('the library example runs against the real server', async () => {
    const file = join(work, 'example.mts');
    await writeFile(file, block(readme, 'library'));
    const result = await run(join(ROOT, 'node_modules', '.bin', 'tsx'), [file], work, env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('signed true');
    expect(result.stdout).toContain('OK: mcp-servers/everything 2.0.0 is verified and the live server matches the signed manifest.');
    expect(result.stdout).toContain('cached true true');
    expect(result.stdout).toContain('diff true');
  });

  it('the offline audit example prints what the README says and writes SARIF', async () => {
    const dir = await mkdtemp(join(work, 'audit-'));
    const result = await run('bash', ['-euo', 'pipefail', '-c', block(readme, 'audit')], dir, { ...env, TOOLSEAL_CACHE_DIR: join(dir, 'cache') });
    expect(result.code).toBe(0);
    const printed = /finds it unsigned and exits 1:\n\n```\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(result.stdout).toContain(printed);
    expect(result.stdout).toMatch(/unsigned\s+TSA301\s+io\.github\.acme\/weather@1\.4\.0 \(deprecated\)/);
    const sarif = JSON.parse(await readFile(join(dir, 'audit.sarif'), 'utf8')) as { runs: { results: { ruleId: string }[] }[] };
    expect(sarif.runs[0]!.results.map((r) => r.ruleId)).toEqual(['TSA301']);
  });
});
