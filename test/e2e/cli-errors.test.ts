import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { sampleManifest } from '../helpers/manifests.js';

// Transcripts of the built CLI's bad-input paths: each wrong invocation exits 2 with one line
// on stderr that names the flag or file and what to do, and nothing on stdout. None of them
// needs the network: each is refused before toolseal would fetch trust material or start a server.

let dir: string;
const ID = ['--certificate-identity', 'https://github.com/acme/weather/.github/workflows/release.yml@refs/tags/v1.4.0', '--certificate-oidc-issuer', 'https://token.actions.githubusercontent.com'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toolseal-cli-errors-'));
  await writeFile(join(dir, 'm.json'), JSON.stringify(sampleManifest()));
  await writeFile(join(dir, 'not-json.txt'), 'not json\n');
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** args → the exact stderr line (without its newline); run in the temp dir. */
const transcripts: [string, string[], string][] = [
  ['an unknown option', ['diff', 'm.json', 'm.json', '--bogus'],
    `toolseal: error [USAGE]: unknown option '--bogus'. Run "toolseal diff --help" for the usage.`],
  ['a missing argument', ['diff', 'm.json'],
    `toolseal: error [USAGE]: missing required argument 'candidate'. Run "toolseal diff --help" for the usage.`],
  ['a wrong choice', ['proxy', '--enforce', 'maybe', '--', 'node', 'x.js'],
    `toolseal: error [USAGE]: option '--enforce <mode>' argument 'maybe' is invalid. Allowed choices are block, filter, warn. Run "toolseal proxy --help" for the usage.`],
  ['a missing required option', ['verify-bundle', 'm.json'],
    `toolseal: error [USAGE]: required option '--bundle <file>' not specified. Run "toolseal verify-bundle --help" for the usage.`],
  ['an unknown command', ['verfy'],
    `toolseal: error [USAGE]: unknown command 'verfy' (Did you mean verify?). Run "toolseal --help" for the usage.`],
  ['a bad number', ['audit', '--concurrency', 'abc'],
    `toolseal: error [USAGE]: option '--concurrency <n>' argument 'abc' is invalid. --concurrency must be a whole number of at least 1, not "abc". Run "toolseal audit --help" for the usage.`],
  ['a file that is not JSON (one line, the newline in it escaped)', ['inspect', 'not-json.txt'],
    `toolseal: error [JSON_INVALID]: not-json.txt is not valid JSON (Unexpected token 'o', "not json\\n" is not valid JSON). Fix the file or point toolseal at the right one.`],
  ['a bad --runner-environment, named by its flag', ['verify', '--bundle', 'm.json', ...ID, '--runner-environment', 'moon'],
    `toolseal: error [POLICY_INVALID]: --runner-environment "moon": Invalid option: expected one of "github-hosted"|"self-hosted". Fix the flag; --help lists each one.`],
  ['a bad --certificate-identity-regexp, named by its flag', ['verify', '--bundle', 'm.json', '--certificate-identity-regexp', '(', '--certificate-oidc-issuer', 'https://token.actions.githubusercontent.com'],
    `toolseal: error [POLICY_INVALID]: --certificate-identity-regexp "(": subjectPattern is not a valid regular expression. Fix the flag; --help lists each one.`],
  ['a bad --github-repository-id, named by its flag', ['verify', '--bundle', 'm.json', ...ID, '--github-repository-id', 'acme'],
    `toolseal: error [POLICY_INVALID]: --github-repository-id "acme": Invalid string: must match pattern /^\\d+$/. Fix the flag; --help lists each one.`],
  ['a missing bundle, before any trust material is fetched', ['verify', '--bundle', 'nope.json', ...ID],
    `toolseal: error [FILE_UNREADABLE]: nope.json does not exist. Check the path.`],
  ['a missing proxy bundle, before any trust material is fetched', ['proxy', '--bundle', 'nope.json', ...ID, '--', 'node', 'x.js'],
    `toolseal: error [FILE_UNREADABLE]: nope.json does not exist. Check the path.`],
  ['a malformed --upstream URL', ['proxy', '--bundle', 'nope.json', ...ID, '--upstream', 'not-a-url'],
    `toolseal: error [USAGE]: --upstream takes the URL of a Streamable HTTP MCP server (e.g. http://127.0.0.1:3001/mcp), not "not-a-url".`],
  ['an --upstream URL that is not http(s), without echoing its credentials', ['proxy', '--bundle', 'nope.json', ...ID, '--upstream', 'ftp://user:secret@host/mcp'],
    `toolseal: error [USAGE]: --upstream takes an http:// or https:// URL, not ftp:.`],
  ['a client profile that is neither built in nor a file', ['capture', '--client-profile', 'ful', '--stdio', '--', 'node', 'x.js'],
    `toolseal: error [FILE_UNREADABLE]: The client profile "ful" is neither bare nor full, and ful does not exist. Give bare, full, or the path of a profile JSON file.`],
  ['a bundle path in a missing directory, before anything is signed', ['sign', '--manifest', 'm.json', '--key', 'k.pem', '-o', 'no-such-dir/b.json'],
    `toolseal: error [FILE_UNWRITABLE]: Cannot write no-such-dir/b.json: the directory no-such-dir does not exist or is not writable. Create it or choose another path.`],
  ['a proxy --header without a name, without echoing its value', ['proxy', '--bundle', 'nope.json', ...ID, '--upstream', 'http://127.0.0.1:1/mcp', '--header', ': Bearer s3cr3t'],
    `toolseal: error [SERVER_SPEC_INVALID]: The header "…" is not of the form Name: value.`],
  ['a bad --match for check, before the server is started', ['check', '--manifest', 'm.json', '--match', 'fuzzy', '--stdio', '--', 'node', 'x.js'],
    `toolseal: error [MATCH_MODE_INVALID]: The match mode is exact or subset, not "fuzzy".`],
];

describe('toolseal: wrong invocations', () => {
  it.each(transcripts)('%s', async (_what, args, stderr) => {
    const run = await runCli(args, { cwd: dir });
    expect(run).toEqual({ code: 2, stdout: '', stderr: `${stderr}\n` });
  });

  it('names a missing --key file in a sentence about the policy from the flags', async () => {
    const run = await runCli(['verify', '--bundle', 'm.json', '--key', 'nope.pem'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`toolseal: error [POLICY_KEY_UNREADABLE]: the policy from the command-line flags names the key ${join(dir, 'nope.pem')}, which cannot be used: ${join(dir, 'nope.pem')} does not exist. Check the path.\n`);
  });

  it('prints a stack trace only with --debug', async () => {
    const run = await runCli(['--debug', 'inspect', 'not-json.txt'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^toolseal: error \[JSON_INVALID\]: [^\n]*\n[\s\S]*\n\s+at /);
  });
});
