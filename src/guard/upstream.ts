import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ServerTarget } from '../manifest/capture/options.js';

/** Options of {@link upstreamTransport}. */
export interface UpstreamOptions {
  /** Where a spawned server's stderr goes. Default `inherit`: the proxy's stderr, never its stdout. */
  stderr?: 'inherit' | 'ignore';
  /** Called with the pid of a spawned server. */
  onSpawn?: (pid: number) => void;
}

/**
 * A client transport to the real server. A stdio server is spawned with the proxy's whole
 * environment plus `target.env` (a wrapped server expects its API keys), and its stdout is
 * the protocol channel only. The SDK's `close()` ends stdin, then SIGTERMs, then SIGKILLs.
 */
export function upstreamTransport(target: ServerTarget, options: UpstreamOptions = {}): Transport {
  if (target.kind === 'http') {
    return new StreamableHTTPClientTransport(new URL(target.url), { requestInit: { headers: target.headers ?? {} } });
  }
  const env = Object.fromEntries(Object.entries({ ...process.env, ...target.env }).filter((e): e is [string, string] => e[1] !== undefined));
  const transport = new StdioClientTransport({
    command: target.command, args: target.args ?? [], env, stderr: options.stderr ?? 'inherit', ...(target.cwd ? { cwd: target.cwd } : {}),
  });
  if (options.onSpawn) {
    const start = transport.start.bind(transport);
    transport.start = async () => {
      await start();
      if (transport.pid !== null) options.onSpawn!(transport.pid);
    };
  }
  return transport;
}
