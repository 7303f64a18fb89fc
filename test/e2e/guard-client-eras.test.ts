import { Client as ClientV2, StreamableHTTPClientTransport as HttpTransportV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioTransportV2 } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioTransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  SessionRefusedError, ToolNotVerifiedError, guardClient, type EnforceMode, type GuardAttestation, type GuardedClient,
} from '../../src/index.js';
import { startEraHttp, type RunningServer } from './capture-servers.helpers.js';
import { alive, attest, fixture, memoryAudit, until } from './guard.helpers.js';

type Mode = 'legacy' | 'auto' | 'modern';
const open: GuardedClient[] = [];
const servers: RunningServer[] = [];
afterEach(async () => { await Promise.all(open.splice(0).map((g) => g.client.close())); });
afterAll(async () => { await Promise.all(servers.map((s) => s.stop())); });

function v2Client(mode: Mode): ClientV2 {
  const versionNegotiation = mode === 'legacy' ? undefined : mode === 'auto' ? { mode: 'auto' as const } : { mode: { pin: '2026-07-28' } };
  return new ClientV2({ name: 'guard-test-v2', version: '1.0.0' }, { capabilities: {}, ...(versionNegotiation ? { versionNegotiation } : {}) });
}

function v2Stdio(script: string, env: Record<string, string> = {}): Transport {
  const target = fixture(script, env);
  return new StdioTransportV2({ command: target.command, args: target.args ?? [], ...(target.env ? { env: target.env } : {}), stderr: 'ignore' }) as unknown as Transport;
}

async function guarded(client: ClientV2 | ClientV1, inner: Transport, attestation: GuardAttestation, enforce: EnforceMode = 'block'): Promise<GuardedClient> {
  const g = await guardClient(client, inner, { attestation, settings: { enforce }, audit: memoryAudit() });
  open.push(g);
  return g;
}

let signed: GuardAttestation;
beforeAll(async () => {
  // Signed once from the dual-era server; the modern-only server lists the same entries.
  signed = await attest(fixture('dual-era.mjs'));
});

describe('guardClient with a v2 Client (@modelcontextprotocol/client)', () => {
  const cases: Array<{ script: string; mode: Mode; era: 'modern' | 'legacy' }> = [
    { script: 'dual-era.mjs', mode: 'legacy', era: 'legacy' },
    { script: 'dual-era.mjs', mode: 'auto', era: 'modern' },
    { script: 'dual-era.mjs', mode: 'modern', era: 'modern' },
    { script: 'modern.mjs', mode: 'auto', era: 'modern' },
    { script: 'modern.mjs', mode: 'modern', era: 'modern' },
  ];
  for (const { script, mode, era } of cases) {
    it(`${mode} client, ${script} over stdio: connects in the ${era} era, lists verified entries, calls through`, async () => {
      const client = v2Client(mode);
      const g = await guarded(client, v2Stdio(script), signed);
      expect(client.getProtocolEra()).toBe(era);
      expect(g.transport.protocolEra).toBe(era);
      expect(client.getServerVersion()).toMatchObject({ name: 'fixture-era', version: '2.0.0' });
      expect(client.getInstructions()).toBe(signed.manifest.instructions);
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo', 'add']);
      expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual(['notes://{id}']);
      const result = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
      expect(result.content).toEqual([{ type: 'text', text: 'hi' }]);
      expect(g.decision()?.verdict.decision).toBe('accept');
    });
  }

  it('closing a modern guarded client ends the stdio server process', async () => {
    const inner = v2Stdio('modern.mjs');
    const client = v2Client('modern');
    await guardClient(client, inner, { attestation: signed });
    const pid = (inner as unknown as { pid: number | null }).pid;
    expect(pid).toBeGreaterThan(0);
    await client.close();
    await until(() => !alive(pid!), 5000, 'the server process to end');
  });

  it('auto client against a legacy-only server falls back to initialize through the guard', async () => {
    const target = fixture('guard-probe.mjs');
    const attestation = await attest(target);
    const client = v2Client('auto');
    await guarded(client, v2Stdio('guard-probe.mjs'), attestation);
    expect(client.getProtocolEra()).toBe('legacy');
    expect((await client.listTools()).tools.length).toBe(attestation.manifest.tools.length);
  });

  it('modern client over Streamable HTTP to a modern-only server', async () => {
    const server = await startEraHttp('modern.mjs');
    servers.push(server);
    const client = v2Client('modern');
    await guarded(client, new HttpTransportV2(new URL(server.url)) as unknown as Transport, signed);
    expect(client.getProtocolEra()).toBe('modern');
    expect((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content).toEqual([{ type: 'text', text: '5' }]);
  });

  describe('refusals in the modern era', () => {
    it('block: a poisoned entry refuses the server at connect (SessionRefusedError)', async () => {
      const err = await guardClient(v2Client('modern'), v2Stdio('modern.mjs', { FIXTURE_POISON: '1' }), { attestation: signed, settings: { enforce: 'block' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SessionRefusedError);
      expect((err as Error).message).toMatch(/\/tools\/echo\/description/);
    });

    it('filter: the poisoned tool is hidden and a call to it is refused with ToolNotVerifiedError', async () => {
      const client = v2Client('auto');
      await guarded(client, v2Stdio('modern.mjs', { FIXTURE_POISON: '1' }), signed, 'filter');
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['add']);
      const err = await client.callTool({ name: 'echo', arguments: { text: 'x' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ToolNotVerifiedError);
      expect((err as ToolNotVerifiedError).code).toBe('TOOL_NOT_VERIFIED');
    });

    for (const announce of ['1', '0']) {
      it(`filter: a rug pull after a call (${announce === '1' ? 'announced' : 'silent'}) hides the tool on the next list and refuses its call`, async () => {
        const client = v2Client('modern');
        const g = await guarded(client, v2Stdio('modern.mjs', { FIXTURE_RUG_PULL_AFTER_CALLS: '1', FIXTURE_RUG_PULL_ANNOUNCE: announce }), signed, 'filter');
        expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo', 'add']);
        await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
        expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['add']);
        expect(g.decision()?.verdict.decision).toBe('filter');
        const err = await client.callTool({ name: 'echo', arguments: { text: 'x' } }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ToolNotVerifiedError);
        expect((err as Error).message).toMatch(/\/tools\/echo\/description/);
      });
    }

    it('block: a server/discover naming another server than the signed one is refused', async () => {
      const err = await guardClient(v2Client('modern'), v2Stdio('modern.mjs', { FIXTURE_SERVER_NAME: 'fixture-era-impostor' }), { attestation: signed, settings: { enforce: 'block' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SessionRefusedError);
      expect((err as Error).message).toMatch(/\/server\/name/);
    });
  });
});

describe('guardClient with a v1 Client (@modelcontextprotocol/sdk)', () => {
  it('connects to the dual-era server in the legacy era and calls through', async () => {
    const client = new ClientV1({ name: 'guard-test-v1', version: '1.0.0' }, { capabilities: {} });
    const target = fixture('dual-era.mjs');
    const g = await guarded(client, new StdioTransportV1({ command: target.command, args: target.args ?? [], ...(target.env ? { env: target.env } : {}), stderr: 'ignore' }), signed);
    expect(g.transport.protocolEra).toBe('legacy');
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo', 'add']);
    expect((await client.callTool({ name: 'echo', arguments: { text: 'v1' } })).content).toEqual([{ type: 'text', text: 'v1' }]);
  });

  it('refuses a call to a tool hidden under filter with ToolNotVerifiedError', async () => {
    const client = new ClientV1({ name: 'guard-test-v1', version: '1.0.0' }, { capabilities: {} });
    const target = fixture('dual-era.mjs', { FIXTURE_POISON: '1' });
    await guarded(client, new StdioTransportV1({ command: target.command, args: target.args ?? [], ...(target.env ? { env: target.env } : {}), stderr: 'ignore' }), signed, 'filter');
    const err = await client.callTool({ name: 'echo', arguments: { text: 'x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolNotVerifiedError);
  });
});
