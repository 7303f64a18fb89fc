import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitCommandLine } from '../../action/src/command-line.js';
import { readInputs } from '../../action/src/inputs.js';
import { commandData, writeOutputs } from '../../action/src/runner-files.js';
import { htmlCode } from '../../src/internal.js';
import { parseOutputs } from './action.helpers.js';

describe('the command input is split without a shell', () => {
  it.each([
    ['npx -y @acme/weather-mcp', ['npx', '-y', '@acme/weather-mcp']],
    ['  node\n  dist/server.js   --stdio ', ['node', 'dist/server.js', '--stdio']],
    [`node "my server.js" 'it''s' a\\ b ""`, ['node', 'my server.js', 'its', 'a b', '']],
    [`sh -c "echo \\"hi\\" \\\\ \\n"`, ['sh', '-c', 'echo "hi" \\ \\n']],
    ['node $(rm -rf /) ; ls | cat * ~ $HOME', ['node', '$(rm', '-rf', '/)', ';', 'ls', '|', 'cat', '*', '~', '$HOME']],
    ['["node", "a b.js", "--x=\\"y\\""]', ['node', 'a b.js', '--x="y"']],
  ])('%j', (text, argv) => {
    expect(splitCommandLine(text)).toEqual(argv);
  });

  it.each([
    ['node "unterminated', /unterminated double quote/],
    ["node 'unterminated", /unterminated single quote/],
    ['node trailing\\', /ends with a backslash/],
    ['["node", 1]', /array of strings/],
    ['[node]', /not a JSON array/],
    ['[]', /empty/],
    ['""', /empty/],
  ])('refuses %j', (text, message) => {
    expect(() => splitCommandLine(text)).toThrow(message);
  });
});

describe('inputs are read from INPUT_* variables as the runner names them', () => {
  it('keeps dashes, reads multiline lists, and applies the bundle default', () => {
    const inputs = readInputs({
      'INPUT_MODE': 'sign', 'INPUT_COMMAND': 'node server.js', 'INPUT_CLIENT-PROFILE': 'full',
      'INPUT_EXCLUDE': '/tools/*/_meta\n\n  /instructions  \n', 'INPUT_ARTIFACT': 'pkg:npm/x@1.0.0', 'INPUT_TIMEOUT': '5000',
      'INPUT_FULCIO-URL': ' https://fulcio.example ', 'INPUT_KEY': '',
    });
    expect(inputs).toMatchObject({
      mode: 'sign', server: { command: ['node', 'server.js'], headers: [] }, clientProfile: 'full',
      exclude: ['/tools/*/_meta', '/instructions'], artifacts: ['pkg:npm/x@1.0.0'], timeoutMs: 5000,
      fulcioURL: 'https://fulcio.example', bundle: 'mcp-manifest.sigstore.json',
    });
    expect(inputs.signingKey).toBeUndefined();
    expect(inputs.capture).toEqual({ requestTimeoutMs: 5000, protocolEra: 'auto' });
  });

  it('reads protocol-era for every mode and offline for verify', () => {
    expect(readInputs({ INPUT_MODE: 'check', 'INPUT_PROTOCOL-ERA': 'legacy' }).capture).toEqual({ protocolEra: 'legacy' });
    expect(readInputs({ INPUT_MODE: 'verify', INPUT_OFFLINE: 'true' }).offline).toBe(true);
    expect(readInputs({ INPUT_MODE: 'verify', 'INPUT_SERVER-NAME': 'acme/weather' }).policy).toEqual({ serverName: 'acme/weather' });
    expect(() => readInputs({ INPUT_MODE: 'sign', 'INPUT_PROTOCOL-ERA': 'future' })).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERA_INVALID' }));
    expect(() => readInputs({ INPUT_MODE: 'sign', 'INPUT_PROTOCOL-ERA': 'future' })).toThrow(/not a protocol era; use auto, modern or legacy/);
    expect(() => readInputs({ INPUT_MODE: 'sign', INPUT_OFFLINE: 'true' })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => readInputs({ INPUT_MODE: 'sign', INPUT_OFFLINE: 'true' })).toThrow(/"offline" does not apply to mode sign/);
    expect(() => readInputs({ INPUT_MODE: 'verify', INPUT_OFFLINE: 'yes' })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => readInputs({ INPUT_MODE: 'verify', INPUT_OFFLINE: 'yes' })).toThrow(/"offline" is true or false, not "yes"/);
  });

  it('reads dynamic for sign (one list per line, only the two dynamic lists) and refuse-dynamic-lists for verify', () => {
    expect(readInputs({ INPUT_MODE: 'sign', INPUT_DYNAMIC: 'resources\n resourceTemplates \n' }).dynamic).toEqual(['resources', 'resourceTemplates']);
    expect(readInputs({ INPUT_MODE: 'sign' }).dynamic).toEqual([]);
    expect(() => readInputs({ INPUT_MODE: 'sign', INPUT_DYNAMIC: 'prompts' })).toThrow(/The input "dynamic" takes resources or resourceTemplates, not "prompts"/);
    expect(() => readInputs({ INPUT_MODE: 'verify', INPUT_DYNAMIC: 'resources' })).toThrow(/"dynamic" does not apply to mode verify/);
    expect(readInputs({ INPUT_MODE: 'verify', 'INPUT_REFUSE-DYNAMIC-LISTS': 'true' }).policy).toEqual({ refuseDynamicLists: true });
    expect(readInputs({ INPUT_MODE: 'verify', 'INPUT_REFUSE-DYNAMIC-LISTS': 'false' }).policy).toEqual({});
    expect(() => readInputs({ INPUT_MODE: 'check', 'INPUT_REFUSE-DYNAMIC-LISTS': 'true' })).toThrow(/"refuse-dynamic-lists" does not apply to mode check/);
  });

  it('reads verify pins into policy options, keys as a list', () => {
    const inputs = readInputs({
      INPUT_MODE: 'verify', INPUT_BUNDLE: 'b.json', INPUT_KEY: 'a.pem\nb.pem', 'INPUT_TRUSTED-ROOT': 'root.json',
      INPUT_MATCH: 'subset', 'INPUT_MIN-VERSION': '1.2.0', INPUT_URL: 'http://127.0.0.1:9/mcp', INPUT_HEADERS: 'Authorization: Bearer t\nX-A: b',
    });
    expect(inputs.policy).toEqual({ key: ['a.pem', 'b.pem'], trustedRoot: 'root.json', match: 'subset', minVersion: '1.2.0' });
    expect(inputs.server).toEqual({ url: 'http://127.0.0.1:9/mcp', headers: ['Authorization: Bearer t', 'X-A: b'] });
    expect(inputs.bundle).toBe('b.json');
  });

  it.each([
    [{}, /"mode" is required/],
    [{ INPUT_MODE: 'check', INPUT_POLICY: 'p.json' }, /"policy" does not apply to mode check/],
    [{ INPUT_MODE: 'sign', INPUT_MATCH: 'exact', 'INPUT_MIN-VERSION': '1.0.0' }, /"match", "min-version" do not apply to mode sign/],
    [{ INPUT_MODE: 'check', INPUT_TIMEOUT: '-1' }, /positive number of milliseconds/],
  ])('refuses %j', (env, message) => {
    expect(() => readInputs(env)).toThrow(message);
  });
});

describe('runner files', () => {
  it('writes outputs with a random delimiter that a hostile value cannot close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolseal-out-'));
    try {
      const file = join(dir, 'out');
      const forged = 'line 1\nghadelimiter_00000000-0000-0000-0000-000000000000\nverified<<EOF\ntrue\nEOF';
      await writeOutputs(file, { diff: forged, verified: 'false' });
      const text = await readFile(file, 'utf8');
      expect(text).toMatch(/^diff<<ghadelimiter_[0-9a-f-]{36}\n/);
      expect(parseOutputs(text)).toEqual({ diff: forged, verified: 'false' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps an ::error:: message on one line', () => {
    expect(commandData('50% done\r\nnext::error::x')).toBe('50%25 done%0D%0Anext::error::x');
  });

  it('renders server text as inert HTML code', () => {
    expect(htmlCode('<b>x</b> & "q" | \u202Eevil\n@octocat')).toBe('<code>&lt;b&gt;x&lt;/b&gt; &amp; &quot;q&quot; | \\u{202E}evil\\n@octocat</code>');
    expect(htmlCode('x'.repeat(300), 10)).toBe('<code>xxxxxxxxxx… (300 chars)</code>');
  });
});
