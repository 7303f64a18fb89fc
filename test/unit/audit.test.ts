import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_RULES, AUDIT_STATUSES, auditExitCode, backoffMs, buildNamespacePolicies, bundleFileName, createProgressReporter,
  fetchWithRetry, githubDefaultPolicy, listRegistryServers, parseServerJson, renderAuditMarkdown, renderAuditTable,
  registryEndpoints, summarize, toolsealMetaOf, ToolsealError, type AuditReport, type ServerAudit, type ServerJson,
} from '../../src/internal.js';
import { anchoredPattern } from '../../src/verify/identity/match.js';
import { startLoopbackServer } from '../../src/testing/http-server.js';

const PUBLISHER = 'io.modelcontextprotocol.registry/publisher-provided';
const server = (meta?: unknown): ServerJson => ({ name: 'io.github.acme/w', version: '1.0.0', ...(meta === undefined ? {} : { _meta: { [PUBLISHER]: meta } }) });

describe('rules and statuses', () => {
  it('give every rule a unique id and name, and every status at least one rule', () => {
    expect(new Set(AUDIT_RULES.map((r) => r.id)).size).toBe(AUDIT_RULES.length);
    expect(new Set(AUDIT_RULES.map((r) => r.name)).size).toBe(AUDIT_RULES.length);
    for (const status of AUDIT_STATUSES) expect(AUDIT_RULES.some((r) => r.status === status)).toBe(true);
  });
});

describe('server.json discovery', () => {
  it('finds the dev.toolseal pointer in the publisher-provided _meta', () => {
    const meta = toolsealMetaOf(server({ 'dev.toolseal': { bundle: 'https://x.example/b.sigstore.json', manifestDigest: `sha256:${'a'.repeat(64)}` } }));
    expect(meta).toEqual({ kind: 'pointer', meta: { bundle: 'https://x.example/b.sigstore.json', manifestDigest: `sha256:${'a'.repeat(64)}` } });
    expect(toolsealMetaOf(server())).toEqual({ kind: 'none' });
    expect(toolsealMetaOf(server({ other: 1 }))).toEqual({ kind: 'none' });
  });

  it('enforces the 4096-byte limit on the whole publisher-provided object, in UTF-8 bytes', () => {
    const base = JSON.stringify({ pad: '' }).length;
    expect(toolsealMetaOf(server({ pad: 'x'.repeat(4096 - base) })).kind).toBe('none');
    expect(toolsealMetaOf(server({ pad: 'x'.repeat(4097 - base) }))).toEqual({ kind: 'too-large', bytes: 4097 });
    // 2 bytes per "é": a string under 4096 characters can still be over 4096 bytes.
    expect(toolsealMetaOf(server({ pad: 'é'.repeat(2100) })).kind).toBe('too-large');
  });

  it('refuses a pointer of the wrong shape with the path of the problem', () => {
    for (const bad of [{ bundle: 'ftp://x/y' }, { bundle: 'https://x/y', extra: 1 }, { bundle: 'https://x/y', manifestDigest: 'sha256:ABC' }, 'https://x/y']) {
      const meta = toolsealMetaOf(server({ 'dev.toolseal': bad }));
      expect(meta.kind).toBe('invalid');
    }
    expect(toolsealMetaOf(server([1, 2]))).toMatchObject({ kind: 'invalid' });
  });

  it('validates the server.json fields it uses and keeps the rest', () => {
    expect(parseServerJson({ name: 'io.github.acme/w', version: '1', remotes: [{ type: 'sse' }] })).toMatchObject({ ok: true, server: { remotes: [{ type: 'sse' }] } });
    expect(parseServerJson({ name: 'no-slash', version: '1' })).toMatchObject({ ok: false });
    expect(parseServerJson({ name: 'a/b/c', version: '1' })).toMatchObject({ ok: false });
    expect(parseServerJson({ name: 'io.github.acme/w' })).toMatchObject({ ok: false, reason: expect.stringContaining('/version') });
  });

  it('names bundle files unambiguously (a namespace cannot contain "_")', () => {
    expect(bundleFileName('io.github.acme/weather_v2')).toBe('io.github.acme__weather_v2.sigstore.json');
  });
});

describe('namespace policies', () => {
  const trust = { source: 'trusted-root' as const, path: '/tmp/root.json' };

  it('maps io.github.OWNER to GitHub Actions of any repository of OWNER, anchored and case-insensitive', () => {
    const resolved = githubDefaultPolicy('io.github.Acme-Corp/weather', trust)!;
    expect(resolved.githubOwner).toBe('Acme-Corp');
    const identity = resolved.policy.identity as { issuer: string; subjectPattern: string };
    expect(identity.issuer).toBe('https://token.actions.githubusercontent.com');
    const re = anchoredPattern(identity.subjectPattern);
    expect(re.test('https://github.com/acme-corp/weather-mcp/.github/workflows/release.yml@refs/tags/v1')).toBe(true);
    expect(re.test('https://github.com/ACME-CORP/x/.github/workflows/a.yml@refs/heads/main')).toBe(true);
    expect(re.test('https://github.com/acme-corp-evil/x/.github/workflows/a.yml@refs/heads/main')).toBe(false);
    expect(re.test('https://github.com/mallory/acme-corp/.github/workflows/a.yml@refs/heads/main')).toBe(false);
    expect(re.test('https://evil.example/?https://github.com/acme-corp/x/y')).toBe(false);
    expect(resolved.policy.trust).toEqual(trust);
  });

  it('has no default for other namespaces', () => {
    expect(githubDefaultPolicy('com.example/tools', trust)).toBeUndefined();
    expect(githubDefaultPolicy('io.github/x', trust)).toBeUndefined();
  });

  it('applies the first matching mapping before the GitHub default, and can turn the default off', async () => {
    const identity = { issuer: 'https://accounts.example', subject: 'release@example.com' };
    const policies = await buildNamespacePolicies({ version: 1, namespaces: [{ pattern: 'io.github.acme/*', identity }, { pattern: 'com.example/*', identity, match: 'subset' }] }, 'p.json', '/tmp', trust);
    expect(policies.forServer('io.github.acme/w')!.origin).toBe('namespace "io.github.acme/*" (p.json)');
    expect(policies.forServer('com.example/tools')!.policy.match).toBe('subset');
    expect(policies.forServer('com.example.evil/tools')).toBeUndefined();
    expect(policies.forServer('io.github.other/w')!.origin).toBe('GitHub default for io.github.other');
    const off = await buildNamespacePolicies({ version: 1, githubDefault: false }, 'p.json', '/tmp');
    expect(off.forServer('io.github.other/w')).toBeUndefined();
  });

  it('refuses unknown fields and bad identities, naming the file', async () => {
    await expect(buildNamespacePolicies({ version: 1, nmespaces: [] }, 'p.json', '/tmp')).rejects.toMatchObject({ code: 'AUDIT_POLICY_INVALID', message: expect.stringContaining('p.json') });
    await expect(buildNamespacePolicies({ version: 1, namespaces: [{ pattern: 'x/*', identity: { issuer: 'i' } }] }, 'p.json', '/tmp')).rejects.toMatchObject({ code: 'AUDIT_POLICY_INVALID' });
  });
});

describe('registry client', () => {
  it('prefers /v0.1 then /v0 for a base URL, takes a URL ending in /v0.1, /v0 or /servers as named, refuses non-http URLs', () => {
    const urls = (base: string) => registryEndpoints(base).map((e) => `${e.api} ${e.url.href}`);
    expect(urls('https://registry.example')).toEqual(['v0.1 https://registry.example/v0.1/servers', 'v0 https://registry.example/v0/servers']);
    expect(urls('https://registry.example/mirror/')).toEqual(['v0.1 https://registry.example/mirror/v0.1/servers', 'v0 https://registry.example/mirror/v0/servers']);
    expect(urls('https://registry.example/v0.1')).toEqual(['v0.1 https://registry.example/v0.1/servers']);
    expect(urls('https://registry.example/v0/')).toEqual(['v0 https://registry.example/v0/servers']);
    expect(urls('https://registry.example/v0.1/servers')).toEqual(['v0.1 https://registry.example/v0.1/servers']);
    expect(urls('https://registry.example/custom/servers')).toEqual(['custom https://registry.example/custom/servers']);
    expect(() => registryEndpoints('file:///etc/passwd')).toThrow(ToolsealError);
    expect(() => registryEndpoints('not a url')).toThrow(ToolsealError);
  });

  it('follows next_cursor too, unwraps {server,_meta} and flat entries, and skips non-latest versions', async () => {
    const pages: Record<string, unknown> = {
      '': { servers: [{ server: { name: 'a/1', version: '1' }, _meta: { 'io.modelcontextprotocol.registry/official': { isLatest: false } } }, { server: { name: 'a/1', version: '2' } }], metadata: { next_cursor: 'p2' } },
      p2: { servers: [{ name: 'b/flat', version: '1' }], metadata: {} },
    };
    const reg = await startLoopbackServer(async (req) => ({ status: 200, body: JSON.stringify(pages[req.url.searchParams.get('cursor') ?? '']) }));
    try {
      const entries = await listRegistryServers(reg.url);
      expect(entries.map((e) => e.value)).toEqual([{ name: 'a/1', version: '2' }, { name: 'b/flat', version: '1' }]);
      expect(entries[0]!.origin).toMatch(/\/v0\.1\/servers\?limit=100&version=latest#servers\/1$/);
      expect(await listRegistryServers(reg.url, { allVersions: true })).toHaveLength(3);
    } finally {
      await reg.close();
    }
  });

  it('stops on a cursor loop and at the page limit, and refuses a non-registry answer', async () => {
    let mode = 'loop';
    const reg = await startLoopbackServer(async (req) => {
      const n = Number(req.url.searchParams.get('cursor') ?? '0');
      if (mode === 'html') return { status: 200, body: '<html>', contentType: 'text/html' };
      if (mode === 'shape') return { status: 200, body: '{"items": []}' };
      return { status: 200, body: JSON.stringify({ servers: [], metadata: { nextCursor: mode === 'loop' ? String(n % 2 === 0 ? 1 : 2) : String(n + 1) } }) };
    });
    try {
      await expect(listRegistryServers(reg.url)).rejects.toMatchObject({ code: 'REGISTRY_CURSOR_LOOP' });
      mode = 'endless';
      await expect(listRegistryServers(reg.url, { maxPages: 5 })).rejects.toMatchObject({ code: 'REGISTRY_PAGE_LIMIT' });
      mode = 'html';
      await expect(listRegistryServers(reg.url)).rejects.toMatchObject({ code: 'REGISTRY_RESPONSE_INVALID' });
      mode = 'shape';
      await expect(listRegistryServers(reg.url)).rejects.toMatchObject({ code: 'REGISTRY_RESPONSE_INVALID', message: expect.stringContaining('/servers') });
    } finally {
      await reg.close();
    }
  });
});

describe('fetch with retries', () => {
  it('keeps backoff within [0, min(max, base·2^(n-1))] and honours Retry-After up to the cap', () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      for (let i = 0; i < 50; i++) {
        const ms = backoffMs(attempt, { baseDelayMs: 100, maxDelayMs: 1000 });
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(Math.min(1000, 100 * 2 ** (attempt - 1)));
      }
    }
    expect(backoffMs(1, { maxDelayMs: 1000 }, 60_000)).toBe(1000);
    expect(backoffMs(1, { maxDelayMs: 1000 }, 10)).toBe(10);
  });

  it('retries 429 and 503 up to the attempt limit, never 403, and caps the body size', async () => {
    const hits: Record<string, number> = {};
    const reg = await startLoopbackServer(async (req) => {
      const p = req.url.pathname;
      hits[p] = (hits[p] ?? 0) + 1;
      if (p === '/429') return hits[p]! < 3 ? { status: 429, body: '', headers: { 'Retry-After': '0' } } : { status: 200, body: 'ok' };
      if (p === '/503') return { status: 503, body: '' };
      if (p === '/403') return { status: 403, body: '' };
      if (p === '/big') return { status: 200, body: 'x'.repeat(2000) };
      return undefined;
    });
    const opts = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
    try {
      expect(await fetchWithRetry(`${reg.url}/429`, opts)).toMatchObject({ ok: true, attempts: 3 });
      expect(await fetchWithRetry(`${reg.url}/503`, opts)).toMatchObject({ ok: false, kind: 'network', status: 503, attempts: 3 });
      expect(await fetchWithRetry(`${reg.url}/403`, opts)).toMatchObject({ ok: false, kind: 'http', status: 403, attempts: 1 });
      expect(await fetchWithRetry(`${reg.url}/big`, { ...opts, maxBytes: 1000 })).toMatchObject({ ok: false, kind: 'too-large', status: 200, attempts: 1, message: expect.stringContaining('1000-byte limit') });
      expect(hits).toEqual({ '/429': 3, '/503': 3, '/403': 1, '/big': 1 });
      const closed = await fetchWithRetry('http://127.0.0.1:9/x', { ...opts, attempts: 2 });
      expect(closed).toMatchObject({ ok: false, kind: 'network', attempts: 2 });
    } finally {
      await reg.close();
    }
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(fetchWithRetry('http://127.0.0.1:9/x', { signal: controller.signal })).rejects.toThrow();
  });
});

function fakeServer(status: ServerAudit['status'], name: string, ruleId = 'TSA000'): ServerAudit {
  return { name, origin: 'x', status, rule: { id: ruleId, name: 'n' }, reason: `reason | with *markdown* and \u202Ebidi\nnewline`, cached: false };
}

function fakeReport(servers: ServerAudit[], complete = true): AuditReport {
  return { mediaType: 'application/vnd.toolseal.audit-report+json;version=1', toolVersion: '0', source: 's', complete, summary: summarize(servers), servers };
}

describe('reports and exit code', () => {
  it('exits 0 only when every server verified and the run completed', () => {
    expect(auditExitCode(fakeReport([fakeServer('verified', 'a/b')]))).toBe(0);
    for (const status of AUDIT_STATUSES.filter((s) => s !== 'verified')) expect(auditExitCode(fakeReport([fakeServer('verified', 'a/b'), fakeServer(status, 'c/d')]))).toBe(1);
    expect(auditExitCode(fakeReport([fakeServer('verified', 'a/b')], false))).toBe(1);
  });

  it('keeps registry text from breaking the table or the Markdown (newlines, bidi controls, pipes)', () => {
    const report = fakeReport([fakeServer('unsigned', 'a/b', 'TSA301'), fakeServer('verified', 'c/d')]);
    const table = renderAuditTable(report);
    expect(table.split('\n')).toHaveLength(6);
    expect(table).not.toMatch(/[\u202E]/);
    const md = renderAuditMarkdown(report);
    expect(md).toContain('reason \\| with \\*markdown\\* and \\\\u\\{202E\\}bidi\\\\nnewline');
    expect(md).toContain('| unsigned | 1 |');
  });

  it('prints one plain line per server and per registry event off a terminal, and a redrawn bar on one', () => {
    const plain: string[] = [];
    const p = createProgressReporter({ write: (t) => plain.push(t), isTTY: false });
    p.onRegistryEvent({ kind: 'page', page: 1, url: 'http://r/v0.1/servers?limit=100&cursor=x', servers: 2, total: 2 });
    p.onResult(fakeServer('verified', 'a/b'), { done: 1, seen: 2, listed: false });
    p.onRegistryEvent({ kind: 'waiting', page: 2, url: 'http://r/v0.1/servers?cursor=\x1b[31m', waitedMs: 10_000, timeoutMs: 15_000 });
    p.onRegistryEvent({ kind: 'retry', page: 2, url: 'http://r/v0.1/servers', attempt: 1, attempts: 4, reason: 'HTTP 503 \x1b]0;x\x07', delayMs: 200 });
    p.onResult({ ...fakeServer('unsigned', 'c/d\x1b[2J'), cached: true }, { done: 2, seen: 2, listed: true });
    expect(plain).toEqual([
      'toolseal: page 1 read from http://r/v0.1/servers: 2 server(s) to audit, 2 so far\n',
      '[1/2+] verified a/b\n',
      'toolseal: still waiting for page 2 from http://r/v0.1/servers (10 s; each attempt gives up after 15 s)\n',
      // Registry text is shown escaped (the one escaping function), never as live escapes.
      'toolseal: page 2: HTTP 503 \\u{1B}]0;x\\u{7}; retrying in 0.2 s (attempt 2 of 4)\n',
      '[2/2] unsigned c/d\\u{1B}[2J (cached)\n',
    ]);
    const tty: string[] = [];
    const bar = createProgressReporter({ write: (t) => tty.push(t), isTTY: true, columns: 80 });
    bar.onResult(fakeServer('unsigned', 'c/d'), { done: 2, seen: 2, listed: true });
    bar.finish();
    expect(tty[0]).toMatch(/^\r\x1b\[2K\[#+\] 2\/2 servers, 1 not verified$/);
    expect(tty[1]).toBe('\r\x1b[2K');
  });
});

describe('server.json files', () => {
  it('reads saved registry pages as lists', async () => {
    const { readServerJsonPaths } = await import('../../src/internal.js');
    const dir = await mkdtemp(join(tmpdir(), 'toolseal-audit-unit-'));
    await writeFile(join(dir, 'page.json'), JSON.stringify({ servers: [{ server: { name: 'a/b', version: '1' } }, { name: 'c/d', version: '2' }] }));
    await writeFile(join(dir, 'x.sigstore.json'), '{}');
    const entries = await readServerJsonPaths([dir]);
    expect(entries).toEqual([
      { origin: join(dir, 'page.json#servers/0'), value: { name: 'a/b', version: '1' } },
      { origin: join(dir, 'page.json#servers/1'), value: { name: 'c/d', version: '2' } },
    ]);
  });
});

describe('documented examples (test/fixtures/registry, docs/audit.md)', () => {
  const FIX = join(import.meta.dirname, '..', 'fixtures', 'registry');

  it('the example server.json carries a valid dev.toolseal pointer', async () => {
    const { readJsonFile } = await import('../../src/internal.js');
    const parsed = parseServerJson(await readJsonFile(join(FIX, 'server.json')));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(toolsealMetaOf(parsed.server)).toMatchObject({ kind: 'pointer', meta: { manifestDigest: expect.stringMatching(/^sha256:/) } });
  });

  it('the example audit policy is valid and maps each namespace as documented', async () => {
    const { loadNamespacePolicies } = await import('../../src/internal.js');
    const policies = await loadNamespacePolicies(join(FIX, 'audit-policy.json'));
    expect(policies.forServer('com.example/tools')!.origin).toContain('com.example/*');
    expect(policies.forServer('io.internal/x')!.policy.match).toBe('subset');
    expect(policies.forServer('io.github.acme/weather')!.githubOwner).toBe('acme');
    expect(policies.forServer('net.other/x')).toBeUndefined();
  });
});
