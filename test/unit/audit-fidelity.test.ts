import { describe, expect, it } from 'vitest';
import {
  bindingProblem, buildManifest, classifyVerifyError, goJsonByteLength, listEntry, runAudit, toolsealMetaOf, VerificationError,
  type AuditContext, type Manifest, type RawEntry, type ServerAudit, type ServerJson,
} from '../../src/internal.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';
const PUBLISHER = 'io.modelcontextprotocol.registry/publisher-provided';

describe('the _meta size limit, measured as Go json.Marshal writes it', () => {
  it('equals JSON.stringify for plain text and counts the escapes Go adds', () => {
    const plain = { a: 'hello', b: [1, 2.5, true, null], c: { 'd-e': 'é漢😀' } };
    expect(goJsonByteLength(plain)).toBe(Buffer.byteLength(JSON.stringify(plain)));
    expect(goJsonByteLength('<>&')).toBe(2 + 18);
    expect(goJsonByteLength('\u2028\u2029')).toBe(2 + 12);
    expect(goJsonByteLength('"\\\b\f\n\r\t')).toBe(2 + 14);
    expect(goJsonByteLength('\u0001\u001f')).toBe(2 + 12);
    expect(goJsonByteLength(-0)).toBe(2);
    expect(goJsonByteLength({ '<': 1 })).toBe(Buffer.byteLength('{"\\u003c":1}'));
    expect(goJsonByteLength('\ud800')).toBe(2 + 6);
  });

  it('refuses a 4,090-byte object that is 4,110 bytes to the registry', () => {
    const base = JSON.stringify({ pad: '' }).length;
    const meta = { pad: `${'<'.repeat(4)}${'x'.repeat(4090 - base - 4)}` };
    expect(Buffer.byteLength(JSON.stringify(meta))).toBe(4090);
    const server: ServerJson = { name: 'io.github.acme/w', version: '1', _meta: { [PUBLISHER]: meta } };
    expect(toolsealMetaOf(server)).toEqual({ kind: 'too-large', bytes: 4110 });
  });
});

describe('registry entries in every shape the API has had', () => {
  const server = { name: 'a/b', version: '1' };
  it.each([
    ['wrapped, isLatest false', { server, _meta: { [OFFICIAL]: { isLatest: false, status: 'active' } } }, 'not-latest'],
    ['wrapped, is_latest false', { server, _meta: { [OFFICIAL]: { is_latest: false } } }, 'not-latest'],
    ['flat, isLatest false inside server._meta', { ...server, _meta: { [OFFICIAL]: { isLatest: false } } }, 'not-latest'],
    ['flat, is_latest false inside server._meta', { ...server, _meta: { [OFFICIAL]: { is_latest: false } } }, 'not-latest'],
    ['wrapped, deleted', { server, _meta: { [OFFICIAL]: { status: 'deleted', isLatest: true } } }, 'deleted'],
    ['flat, deleted on the server (early v0)', { ...server, status: 'deleted' }, 'deleted'],
  ])('skips %s', (_label, value, why) => {
    expect(listEntry(value, 'o')).toEqual({ kind: 'skip', why });
  });

  it('audits the latest, marks deprecated ones, and unwraps only the wrapped shape', () => {
    expect(listEntry({ server, _meta: { [OFFICIAL]: { isLatest: true } } }, 'o')).toEqual({ kind: 'audit', entry: { origin: 'o', value: server } });
    expect(listEntry({ server, _meta: { [OFFICIAL]: { status: 'deprecated', isLatest: true } } }, 'o')).toEqual({ kind: 'audit', entry: { origin: 'o', value: server, registryStatus: 'deprecated' } });
    const flat = { ...server, _meta: { [OFFICIAL]: { status: 'deprecated', is_latest: true } } };
    expect(listEntry(flat, 'o')).toEqual({ kind: 'audit', entry: { origin: 'o', value: flat, registryStatus: 'deprecated' } });
    expect(listEntry(server, 'o')).toEqual({ kind: 'audit', entry: { origin: 'o', value: server } });
  });
});

describe('binding a signed manifest to its registry entry', () => {
  const manifest = (name: string, artifacts?: string[]): Manifest => buildManifest({
    server: { name, version: '1' },
    capture: { protocolVersion: '2025-06-18', clientProfile: 'bare', clientCapabilities: {} },
    tools: [],
    ...(artifacts ? { artifacts: artifacts.map((uri) => ({ uri })) } : {}),
  });
  const entry = (packages: NonNullable<ServerJson['packages']>): ServerJson => ({ name: 'io.github.acme/weather', version: '1.4.0', packages });
  const npm = entry([{ registryType: 'npm', identifier: '@acme/weather-mcp', version: '1.4.0' }]);

  it('accepts the registry name, or an artifact naming a package with its version', () => {
    expect(bindingProblem(npm, manifest('io.github.acme/weather'))).toBeUndefined();
    expect(bindingProblem(npm, manifest('weather', ['pkg:npm/%40acme/weather-mcp@1.4.0']))).toBeUndefined();
    expect(bindingProblem(npm, manifest('weather', ['pkg:npm/@acme/weather-mcp@1.4.0?arch=x64']))).toBeUndefined();
    const pypi = entry([{ registryType: 'pypi', identifier: 'Weather_MCP', version: '2.0' }]);
    expect(bindingProblem(pypi, manifest('w', ['pkg:pypi/weather-mcp@2.0']))).toBeUndefined();
    const remote: ServerJson = { name: 'io.github.acme/weather', version: '1', remotes: [{ type: 'streamable-http', url: 'https://mcp.acme.example/mcp' }] };
    expect(bindingProblem(remote, manifest('weather', ['https://mcp.acme.example/mcp']))).toBeUndefined();
    expect(bindingProblem(remote, manifest('weather', ['https://mcp.acme.example/other']))).toMatch(/with https:\/\/mcp\.acme\.example\/mcp\./);
    const oci = entry([{ registryType: 'oci', identifier: 'ghcr.io/acme/weather', version: '1.4.0' }]);
    expect(bindingProblem(oci, manifest('w', ['ghcr.io/acme/weather:1.4.0']))).toBeUndefined();
  });

  it('refuses another server, another package, another version, or a package without a version', () => {
    expect(bindingProblem(npm, manifest('io.github.acme/other'))).toMatch(/"io.github.acme\/other".*io.github.acme\/weather with @acme\/weather-mcp@1.4.0/);
    expect(bindingProblem(npm, manifest('weather', ['pkg:npm/%40acme/other-mcp@1.4.0']))).toBeDefined();
    expect(bindingProblem(npm, manifest('weather', ['pkg:npm/%40acme/weather-mcp@1.3.9']))).toBeDefined();
    expect(bindingProblem(npm, manifest('weather', ['pkg:pypi/%40acme/weather-mcp@1.4.0']))).toBeDefined();
    expect(bindingProblem(npm, manifest('weather', ['@acme/weather-mcp']))).toBeDefined();
    expect(bindingProblem(entry([{ registryType: 'npm', identifier: '@acme/weather-mcp' }]), manifest('weather', ['pkg:npm/%40acme/weather-mcp@1.4.0']))).toBeDefined();
  });
});

describe('verification codes → audit rules (one table)', () => {
  it.each([
    ['SIGNATURE_INVALID', 'signature-invalid'],
    ['KEY_SIGNATURE_INVALID', 'signature-invalid'],
    ['STATEMENT_SUBJECT_MISMATCH', 'statement-subject-mismatch'],
    ['ISSUER_MISMATCH', 'identity-mismatch'],
    ['PREDICATE_TYPE_MISMATCH', 'bundle-invalid'],
    ['SOME_FUTURE_CODE', 'signature-invalid'],
    ['__proto__', 'signature-invalid'],
  ])('%s → %s', (code, rule) => {
    // Cast: the codes are typed per class; the point is what the table does with any string.
    expect(classifyVerifyError(new VerificationError(code as never, 'x')).rule).toBe(rule);
  });
});

describe('the streamed run', () => {
  it('hands results on in list order, never more than the window ahead, and keeps none', async () => {
    let active = 0;
    let peakAhead = 0;
    let emitted = 0;
    let pulled = 0;
    async function* entries(): AsyncGenerator<RawEntry> {
      for (let i = 0; i < 200; i++) {
        pulled++;
        peakAhead = Math.max(peakAhead, pulled - emitted);
        yield { origin: String(i), value: { name: `a/s${i}` } };
      }
    }
    const order: string[] = [];
    const ctx = { verifier: { verify: () => Promise.reject(new Error('unused')) }, policies: { forServer: () => undefined }, fetch: {} } as unknown as Omit<AuditContext, 'policyDigest' | 'verifications'>;
    const run = await runAudit(entries(), ctx, {
      concurrency: 4,
      window: 16,
      source: 's',
      onResult: async (r: ServerAudit, p) => {
        active++;
        order.push(r.origin);
        emitted = p.done;
        await new Promise((resolve) => setTimeout(resolve, Number(r.origin) % 3));
        active--;
      },
    });
    expect(order).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    expect(active).toBe(0);
    expect(peakAhead).toBeLessThanOrEqual(16 + 1);
    expect(run.complete).toBe(true);
    expect(run.summary.malformed).toBe(200);
  });

  it('rejects when the source fails part-way, so no partial list passes', async () => {
    async function* entries(): AsyncGenerator<RawEntry> {
      yield { origin: '0', value: {} };
      throw new Error('page 2 failed');
    }
    const ctx = { verifier: {}, policies: { forServer: () => undefined }, fetch: {} } as unknown as Omit<AuditContext, 'policyDigest' | 'verifications'>;
    await expect(runAudit(entries(), ctx, { source: 's' })).rejects.toThrow('page 2 failed');
  });
});
