import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpProxy, type GuardAttestation, type HttpProxy } from '../../src/index.js';
import { attest, fixture } from './guard.helpers.js';

const target = fixture('guard-probe.mjs');
let attestation: GuardAttestation;
let proxy: HttpProxy;

beforeAll(async () => {
  attestation = await attest(target);
  proxy = await startHttpProxy({ upstream: target, port: 0, attestation, settings: { enforce: 'block' }, stderr: 'ignore' });
}, 30_000);
afterAll(async () => {
  await proxy?.close();
});

/** POSTs an initialize with a chosen Host header, as a DNS-rebound web page would. */
function postInitialize(url: string, host: string): Promise<number> {
  const u = new URL(url);
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'page', version: '1' } } });
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { host, 'content-type': 'application/json', accept: 'application/json, text/event-stream' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('security: the Streamable HTTP proxy on loopback', () => {
  it('refuses a request whose Host names another site (DNS rebinding) before any session or upstream starts', async () => {
    const port = new URL(proxy.url).port;
    expect(await postInitialize(proxy.url, `attacker.example:${port}`)).toBe(403);
    expect(await postInitialize(proxy.url, 'attacker.example')).toBe(403);
    expect(proxy.sessionCount()).toBe(0);
  });

  it('still serves clients that address it as 127.0.0.1 or localhost', async () => {
    const port = new URL(proxy.url).port;
    for (const url of [proxy.url, `http://localhost:${port}/mcp`]) {
      const client = new Client({ name: 'ok', version: '1' }, { capabilities: {} });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      await client.close();
    }
  });
});
