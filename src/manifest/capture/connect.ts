import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { InputError } from '../../errors.js';
import { TOOLSEAL_VERSION } from '../../version.js';
import type { ClientProfile } from '../profile.js';
import { answerProfileRequests } from './handlers.js';
import type { CaptureLimits, CaptureOptions, ServerTarget } from './options.js';
import { ensureExited } from './process.js';
import { watchTransport, type TransportWatch } from './watch.js';

/** How much of the server's stderr is kept for error messages. */
const STDERR_TAIL_BYTES = 4096;

/** A client wired to a not-yet-started transport, and how to tear both down. */
export interface Connection {
  client: Client;
  watch: TransportWatch;
  transport: Transport;
  stderrTail(): string;
  /** Closes the client and, for stdio, makes sure the child process is gone. */
  close(): Promise<void>;
}

/** Creates the SDK client and transport for a target; nothing is spawned or sent yet. */
export function openConnection(target: ServerTarget, profile: ClientProfile, limits: CaptureLimits, options: CaptureOptions): Connection {
  const client = new Client(
    { name: 'toolseal', version: TOOLSEAL_VERSION },
    { capabilities: structuredClone(profile.capabilities) as Record<string, never> },
  );
  answerProfileRequests(client, profile);
  if (target.kind === 'http') return httpConnection(client, target.url, target.headers);
  return stdioConnection(client, target, limits, options);
}

function stdioConnection(client: Client, target: Extract<ServerTarget, { kind: 'stdio' }>, limits: CaptureLimits, options: CaptureOptions): Connection {
  const stderr = options.stderr ?? 'pipe';
  const transport = new StdioClientTransport({
    command: target.command,
    ...(target.args ? { args: target.args } : {}),
    ...(target.env ? { env: target.env } : {}),
    ...(target.cwd ? { cwd: target.cwd } : {}),
    stderr,
    // One message may not exceed the whole list budget (plus room for the envelope).
    maxBufferSize: limits.maxListBytes + 1024 * 1024,
  });
  let tail = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });
  let pid: number | undefined;
  const start = transport.start.bind(transport);
  transport.start = async () => {
    await start();
    pid = transport.pid ?? undefined;
    if (pid !== undefined) options.onSpawn?.(pid);
  };
  const watch = watchTransport(transport);
  return {
    client, watch, transport,
    stderrTail: () => tail,
    close: async () => {
      // client.close() ends stdin; ensureExited escalates on a shorter clock than the SDK's.
      const closing = client.close().catch(() => undefined);
      if (pid !== undefined) await ensureExited(pid);
      await closing;
    },
  };
}

function httpConnection(client: Client, url: string, headers: Record<string, string> | undefined): Connection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError('URL_INVALID', `"${url}" is not a valid URL; give the server's Streamable HTTP endpoint, e.g. http://127.0.0.1:3001/mcp.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InputError('URL_INVALID', `The server URL must use http or https, not ${parsed.protocol}`);
  }
  const transport = new StreamableHTTPClientTransport(parsed, { requestInit: { headers: { ...headers } } });
  const watch = watchTransport(transport);
  return {
    client, watch, transport,
    stderrTail: () => '',
    close: async () => { await client.close().catch(() => undefined); },
  };
}
