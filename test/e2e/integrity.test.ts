// Issue #11: a hostile server (test/fixtures/servers/hostile.mjs) against every face: verify,
// the stdio proxy, the HTTP proxy and the SDK guard. The poisoned content never reaches the
// client while toolseal says OK, no process is left behind, and the legitimate server passes.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captureServer, EntryNotVerifiedError, SessionRefusedError, ToolNotVerifiedError, type GuardAttestation, type Verdict,
} from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { alive, attest, FIXTURES, readAuditLog, until } from './guard.helpers.js';
import { ESC, guarded, hostile, httpClient, httpProxy, INJECTION } from './integrity.helpers.js';
import { connectProxy, identityFlags, signTarget, startSigningBench, type ProxiedClient, type SigningBench } from './proxy.helpers.js';

const HOSTILE = join(FIXTURES, 'hostile.mjs');
let bench: SigningBench;
let bundle: string;
let excludeBundle: string;
let signed: GuardAttestation;
const opened: ProxiedClient[] = [];

beforeAll(async () => {
  bench = await startSigningBench();
  bundle = (await signTarget(bench, hostile(), 'hostile.sigstore.json')).path;
  const lax = await captureServer(hostile(), { exclude: ['/tools/*/description'] });
  excludeBundle = join(bench.dir, 'exclude.sigstore.json');
  await writeFile(excludeBundle, JSON.stringify((await bench.sign(lax)).bundle));
  signed = await attest(hostile());
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((p) => p.client.close().catch(() => {})));
  await bench?.sigstore.close();
});

/** `toolseal verify` against the hostile fixture with `attacks`. */
function verifyCli(attacks: string[], extra: string[] = [], which = bundle) {
  const env = { ...process.env, FIXTURE_ATTACK: attacks.join(',') };
  return runCli(['verify', '--bundle', which, ...identityFlags(bench), ...extra, '--stdio', '--', process.execPath, HOSTILE], { env });
}

async function proxy(args: string[], ...attacks: string[]): Promise<ProxiedClient> {
  const p = await connectProxy(['--bundle', bundle, ...identityFlags(bench), ...args], hostile(...attacks));
  opened.push(p);
  return p;
}

/** Closes a proxied client and checks that neither the proxy nor its server outlives it. */
async function closeProxy(p: ProxiedClient): Promise<void> {
  const pid = p.serverPid();
  await p.client.close();
  await p.exited;
  if (pid !== undefined) await until(() => !alive(pid), 5000, `the server ${pid} to end`);
}

const names = (tools: { name: string }[]): string[] => tools.map((t) => t.name).sort();
const verdictOf = (stdout: string): Verdict => JSON.parse(stdout) as Verdict;

describe('the legitimate server on the same path passes every face', () => {
  it('verify, stdio proxy, HTTP proxy and guard accept it, also when it ends its list with an empty cursor', async () => {
    for (const attacks of [[], ['empty-cursor']]) {
      const run = await verifyCli(attacks, ['--json']);
      expect(run.code, run.stderr).toBe(0);
      expect(verdictOf(run.stdout)).toMatchObject({ ok: true, problems: [] });
      expect(verdictOf(run.stdout).unchecked).toBeUndefined();
      const p = await proxy(['--enforce', 'filter'], ...attacks);
      expect(names((await p.client.listTools()).tools)).toEqual(['add_note', 'list_notes']);
      expect(p.client.getServerVersion()).toEqual({ name: 'fixture-hostile', version: '1.0.0', title: 'Notes' });
      await closeProxy(p);
      const g = await guarded(signed, { enforce: 'block' }, ...attacks);
      expect(g.decision()?.verdict).toMatchObject({ decision: 'accept', notes: [] });
      expect(names((await g.client.listTools()).tools)).toEqual(['add_note', 'list_notes']);
      await g.client.close();
      const h = await httpProxy(signed, { enforce: 'block' }, ...attacks);
      const client = await httpClient(h.proxy);
      expect(names((await client.listTools()).tools)).toEqual(['add_note', 'list_notes']);
      await client.close();
      await h.proxy.close();
      for (const pid of h.pids) await until(() => !alive(pid), 5000, `HTTP upstream ${pid} to end`);
    }
  });
});

describe('#11.1 a poisoned serverInfo title or a changed version under enforce: filter', () => {
  const attacks = ['serverinfo-title', 'serverinfo-version'];
  const SIGNED_INFO = { name: 'fixture-hostile', version: '1.0.0', title: 'Notes' };

  it('verify fails and names the server fields', async () => {
    const run = await verifyCli(attacks, ['--json']);
    expect(run.code).toBe(1);
    expect(verdictOf(run.stdout).problems.map((p) => p.code)).toContain('SERVER_CHANGED');
    expect(verdictOf(run.stdout).problems.find((p) => p.code === 'SERVER_CHANGED')?.message).toMatch(/\/server\/title.*\/server\/version|\/server\/version.*\/server\/title/);
  });

  it('stdio proxy: the client gets the signed serverInfo; stderr and the audit log note the difference', async () => {
    const log = join(bench.dir, 'serverinfo.jsonl');
    const p = await proxy(['--enforce', 'filter', '--audit-log', log], ...attacks);
    expect(p.client.getServerVersion()).toEqual(SIGNED_INFO);
    expect(JSON.stringify(p.received)).not.toContain(INJECTION);
    expect(p.stderr()).toMatch(/filter.*\/server\/title.*the client is served the signed value/);
    await closeProxy(p);
    const verify = (await readAuditLog(log)).filter((r) => r.event === 'verify');
    expect(verify).toHaveLength(1);
    expect(verify[0]).toMatchObject({ decision: 'filter' });
    expect(verify[0]!.reason).toMatch(/\/server\/version.*the client is served the signed value/);
  });

  it('guard and HTTP proxy: the same, with the note in the decision', async () => {
    const g = await guarded(signed, { enforce: 'filter' }, ...attacks);
    expect(g.client.getServerVersion()).toEqual(SIGNED_INFO);
    expect(g.decision()?.verdict.decision).toBe('filter');
    expect(g.decision()?.verdict.notes.join('\n')).toMatch(/\/server\/title.*served the signed value/);
    expect(g.audit.records.find((r) => r.event === 'verify')?.reason).toMatch(/\/server\/title/);
    const pid = g.pid();
    await g.client.close();
    await until(() => pid === null || !alive(pid), 5000, 'the guarded server to end');
    const h = await httpProxy(signed, { enforce: 'filter' }, ...attacks);
    const client = await httpClient(h.proxy);
    expect(client.getServerVersion()).toEqual(SIGNED_INFO);
    expect(h.log.join('\n')).toMatch(/\/server\/version.*served the signed value/);
    await client.close();
    await h.proxy.close();
    for (const p of h.pids) await until(() => !alive(p), 5000, `HTTP upstream ${p} to end`);
  });
});

describe('#11.2 a signed exclude over model-visible text', () => {
  it('verify refuses it by default; a policy that names the path accepts it and the verdict lists it as unchecked', async () => {
    const run = await verifyCli([], ['--json'], excludeBundle);
    expect(run.code).toBe(1);
    expect(verdictOf(run.stdout).problems).toEqual([expect.objectContaining({ code: 'EXCLUDE_MODEL_VISIBLE', message: expect.stringContaining('/tools/*/description') })]);
    const policy = join(bench.dir, 'allow-exclude.json');
    const [, issuer, , subject, , root] = identityFlags(bench);
    await writeFile(policy, JSON.stringify({ version: 1, identity: { issuer, subject }, trust: { source: 'trusted-root', path: root }, allowModelVisibleExclude: ['/tools/*/description'] }));
    const allowed = await runCli(['verify', '--bundle', excludeBundle, '--policy', policy, '--json', '--stdio', '--', process.execPath, HOSTILE]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(verdictOf(allowed.stdout).unchecked).toEqual([expect.objectContaining({ path: '/tools/*/description' })]);
  });

  it('the proxy refuses to start on such a bundle, before any server is spawned', async () => {
    const run = await runCli(['proxy', '--bundle', excludeBundle, ...identityFlags(bench), '--enforce', 'filter', '--', process.execPath, HOSTILE]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/EXCLUDE_MODEL_VISIBLE/);
    expect(run.stderr).not.toMatch(/started the server/);
  });
});

describe('#11.3 text smuggled in variation selectors after an emoji', () => {
  let smuggled: GuardAttestation;
  beforeAll(async () => {
    // Signed with the hidden text in it: the signature alone must not make it acceptable.
    smuggled = await attest(hostile('variation-selectors'));
  });

  it('verify reports the hidden text, decoded', async () => {
    const run = await verifyCli(['variation-selectors'], ['--json']);
    expect(run.code).toBe(1);
    const problem = verdictOf(run.stdout).problems.find((p) => p.code === 'HIDDEN_UNICODE');
    expect(problem?.message).toContain(`spelling "${INJECTION}"`);
  });

  it('stdio proxy (filter): the entry never reaches the client', async () => {
    const p = await proxy(['--enforce', 'filter'], 'variation-selectors');
    expect(names((await p.client.listTools()).tools)).toEqual(['list_notes']);
    expect(JSON.stringify(p.received)).not.toMatch(/[\u{E0100}-\u{E01EF}]/u);
    await closeProxy(p);
  });

  it('guard and HTTP proxy (filter), even when the hidden text was signed: hidden as HIDDEN_UNICODE with what it spells', async () => {
    const g = await guarded(smuggled, { enforce: 'filter' }, 'variation-selectors');
    expect(names((await g.client.listTools()).tools)).toEqual(['list_notes']);
    expect(g.decision()?.hidden).toEqual([expect.objectContaining({ key: 'add_note', code: 'HIDDEN_UNICODE', reason: expect.stringContaining('spelling "IMPORTANT: ignore previous') })]);
    await expect(g.client.callTool({ name: 'add_note', arguments: {} })).rejects.toBeInstanceOf(ToolNotVerifiedError);
    await g.client.close();
    const h = await httpProxy(smuggled, { enforce: 'filter' }, 'variation-selectors');
    const client = await httpClient(h.proxy);
    expect(names((await client.listTools()).tools)).toEqual(['list_notes']);
    await client.close();
    await h.proxy.close();
    for (const pid of h.pids) await until(() => !alive(pid), 5000, `HTTP upstream ${pid} to end`);
  });

  it('a policy that allows variation selectors lets the signed entry through the guard', async () => {
    const g = await guarded(smuggled, { enforce: 'filter', allowHiddenUnicode: ['variation-selector'] }, 'variation-selectors');
    expect(names((await g.client.listTools()).tools)).toEqual(['add_note', 'list_notes']);
    await g.client.close();
  });
});

describe('#11.4 a tool with its own "__proto__" member', () => {
  it('verify refuses the capture as invalid, naming the member', async () => {
    const run = await verifyCli(['proto-member']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/MANIFEST_INVALID.*"__proto__" at \/tools\/0\/__proto__/);
  });

  it('stdio proxy, guard and HTTP proxy hide the entry as invalid; the other tool still works', async () => {
    const log = join(bench.dir, 'proto.jsonl');
    const p = await proxy(['--enforce', 'filter', '--audit-log', log], 'proto-member');
    expect(names((await p.client.listTools()).tools)).toEqual(['list_notes']);
    expect(JSON.stringify(p.received)).not.toContain('__proto__');
    await closeProxy(p);
    expect(await readAuditLog(log)).toContainEqual(expect.objectContaining({ event: 'entry', entry: 'tools/add_note', decision: 'hide', code: 'ENTRY_INVALID' }));
    const g = await guarded(signed, { enforce: 'filter' }, 'proto-member');
    expect(g.decision()?.hidden).toEqual([expect.objectContaining({ key: 'add_note', code: 'ENTRY_INVALID', reason: expect.stringContaining('__proto__') })]);
    expect((await g.client.callTool({ name: 'list_notes', arguments: {} })).isError).toBeFalsy();
    await g.client.close();
    const h = await httpProxy(signed, { enforce: 'filter' }, 'proto-member');
    const client = await httpClient(h.proxy);
    expect(names((await client.listTools()).tools)).toEqual(['list_notes']);
    await client.close();
    await h.proxy.close();
  });

  it('block refuses the server at connect', async () => {
    await expect(guarded(signed, { enforce: 'block' }, 'proto-member')).rejects.toBeInstanceOf(SessionRefusedError);
  });
});

describe('#11.6 unsigned serverInfo fields (description, websiteUrl, icons)', () => {
  it('verify passes but names each one as unchecked, in JSON and for people', async () => {
    const run = await verifyCli(['serverinfo-extra'], ['--json']);
    expect(run.code).toBe(0);
    expect(verdictOf(run.stdout).unchecked?.map((u) => u.path)).toEqual(['/server/description', '/server/icons', '/server/websiteUrl']);
    const human = await verifyCli(['serverinfo-extra']);
    expect(human.stdout).toMatch(/unchecked +\/server\/description: /);
  });

  it('the stdio proxy drops them', async () => {
    const p = await proxy(['--enforce', 'block'], 'serverinfo-extra');
    expect(p.client.getServerVersion()).toEqual({ name: 'fixture-hostile', version: '1.0.0', title: 'Notes' });
    await closeProxy(p);
  });
});

describe('#11.8 a server that forges the guard\'s errors', () => {
  for (const attack of ['forged-not-verified', 'forged-refused']) {
    it(`${attack}: the guard does not type it as its own, the proxy marks it as the server's, and the session goes on`, async () => {
      const g = await guarded(signed, { enforce: 'block' }, attack);
      const err = await g.client.callTool({ name: 'add_note', arguments: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(McpError);
      expect(err).not.toBeInstanceOf(EntryNotVerifiedError);
      expect(err).not.toBeInstanceOf(SessionRefusedError);
      expect(err).toMatchObject({ code: -32603, message: expect.stringContaining('the server answered with toolseal\'s reserved code') });
      expect(names((await g.client.listTools()).tools)).toEqual(['add_note', 'list_notes']);
      expect(g.audit.records.filter((r) => r.decision === 'refuse' || r.decision === 'refused')).toEqual([]);
      await g.client.close();
      const log = join(bench.dir, `${attack}.jsonl`);
      const p = await proxy(['--enforce', 'block', '--audit-log', log], attack);
      const viaProxy = await p.client.callTool({ name: 'add_note', arguments: {} }).catch((e: unknown) => e);
      expect(viaProxy).toMatchObject({ code: -32603 });
      expect(names((await p.client.listTools()).tools)).toEqual(['add_note', 'list_notes']);
      await closeProxy(p);
      expect(await p.exited).toBe(0);
      expect((await readAuditLog(log)).filter((r) => r.decision === 'refuse' || r.decision === 'refused')).toEqual([]);
    });
  }
});

describe('#11.9 server text on the terminal', () => {
  it('verify prints a tool name with ANSI escapes and bidi controls escaped, never raw', async () => {
    const run = await verifyCli(['ansi-name']);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain(ESC);
    expect(run.stdout).not.toContain('\u202e');
    expect(run.stdout).toContain('\\u{1B}[2J');
  });

  it('the stdio proxy\'s stderr escapes it, and hides the tool under filter', async () => {
    const p = await proxy(['--enforce', 'filter'], 'ansi-name');
    expect(names((await p.client.listTools()).tools)).toEqual(['add_note', 'list_notes']);
    await closeProxy(p);
    expect(p.stderr()).toContain('\\u{1B}[2J');
    expect(p.stderr()).not.toContain(ESC);
  });

  it('a 4 KB tool name is cut in a refusal (proxy stderr and the guard\'s error)', async () => {
    const p = await connectProxy(['--bundle', bundle, ...identityFlags(bench), '--enforce', 'block'], hostile('long-name')).catch((e: { proxied?: ProxiedClient }) => e.proxied!);
    expect(await p.exited).toBe(1);
    const refusal = p.stderr().split('\n').find((l) => l.includes('refused the server'))!;
    expect(refusal).toContain('(4096 characters)');
    expect(refusal.length).toBeLessThan(1200);
    const err = await guarded(signed, { enforce: 'block' }, 'long-name').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionRefusedError);
    expect((err as Error).message).toContain('(4096 characters)');
    expect((err as Error).message.length).toBeLessThan(1200);
  });
});
