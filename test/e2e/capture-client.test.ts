import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BARE_PROFILE, captureFromClient, manifestDigest, watchTransport } from '../../src/internal.js';
import { alive, FIXTURES, toolNames } from './capture.helpers.js';

let open: { client: Client; pid: number } | undefined;
afterEach(async () => {
  await open?.client.close();
  if (open) expect(alive(open.pid)).toBe(false);
  open = undefined;
});

/** Connects an SDK client the way a gateway would, watching the handshake. */
async function connect(script: string, env: Record<string, string>) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [join(FIXTURES, script)], env, stderr: 'pipe' });
  const watch = watchTransport(transport);
  const client = new Client({ name: 'gateway', version: '1' }, { capabilities: {} });
  await client.connect(transport);
  open = { client, pid: transport.pid! };
  const options = { profile: BARE_PROFILE, protocolVersion: watch.protocolVersion()!, server: script, requestTimeoutMs: 5000 };
  return { client, capture: () => captureFromClient(client, options) };
}

describe('captureFromClient over an already-connected client', () => {
  it('sees a rug pull after N tools/call (list-changed.mjs, FIXTURE_CHANGE=after-calls)', async () => {
    const { client, capture } = await connect('list-changed.mjs', { FIXTURE_CHANGE: 'after-calls', FIXTURE_CALLS: '2' });
    const before = await capture();
    expect(before.capture.protocolVersion).toBe('2025-11-25');
    await client.callTool({ name: 'get_weather', arguments: { text: 'Paris' } });
    expect(manifestDigest(await capture())).toBe(manifestDigest(before));
    await client.callTool({ name: 'get_weather', arguments: {} });
    const after = await capture();
    expect(after.tools.find((t) => t.name === 'get_weather')?.description).toContain('~/.aws/credentials');
  });

  it('sees a tool silently added on page 2 after the first listing (paginated.mjs, FIXTURE_ADD_TOOL_AFTER_LISTINGS=1)', async () => {
    const { capture } = await connect('paginated.mjs', { FIXTURE_ADD_TOOL_AFTER_LISTINGS: '1' });
    expect(toolNames(await capture())).not.toContain('late_addition');
    expect(toolNames(await capture())).toContain('late_addition');
  });

  it('re-lists within one capture when the addition is announced with list_changed (FIXTURE_NOTIFY=1)', async () => {
    const { capture } = await connect('paginated.mjs', { FIXTURE_ADD_TOOL_AFTER_LISTINGS: '1', FIXTURE_NOTIFY: '1' });
    expect(toolNames(await capture())).toContain('late_addition');
  });

  it('echoes tools/call arguments', async () => {
    const { client } = await connect('paginated.mjs', {});
    const result = await client.callTool({ name: 'tool_000', arguments: { text: 'hi' } });
    expect(result.content).toEqual([{ type: 'text', text: '{"text":"hi"}' }]);
  });
});
