import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { InputError } from '../../errors.js';
import { strictFetch } from '../../io/strict-http.js';
import { TOOLSEAL_VERSION } from '../../version.js';
import type { ClientProfile } from '../profile.js';
import { answerProfileRequests } from './handlers.js';
import { describeTarget, type CaptureLimits, type CaptureOptions, type ServerTarget } from './options.js';
import { StrictStdioClientTransport } from './strict-stdio.js';
import { watchTransport, type TransportWatch } from './watch.js';

/** How much of the server's stderr is kept for error messages. */
const STDERR_TAIL_BYTES = 4096;

/** A client wired to a not-yet-started transport, and how to tear both down. */
export interface Connection {
  client: Client;
  watch: TransportWatch;
  transport: Transport;
  stderrTail(): string;
  /** Closes the client and, for stdio, makes sure the server's processes are gone. */
  close(): Promise<void>;
}

/** Creates the SDK client and transport for a target; nothing is spawned or sent yet. */
export function openConnection(target: ServerTarget, profile: ClientProfile, limits: CaptureLimits, options: CaptureOptions): Connection {
  const client = new Client(
    { name: 'toolseal', version: TOOLSEAL_VERSION },
    { capabilities: structuredClone(profile.capabilities) as Record<string, never> },
  );
  answerProfileRequests(client, profile);
  if (target.kind === 'http') return httpConnection(client, target, limits);
  return stdioConnection(client, target, limits, options);
}

function stdioConnection(client: Client, target: Extract<ServerTarget, { kind: 'stdio' }>, limits: CaptureLimits, options: CaptureOptions): Connection {
  const stderr = options.stderr ?? 'pipe';
  const transport = new StrictStdioClientTransport({
    command: target.command,
    ...(target.args ? { args: target.args } : {}),
    ...(target.env ? { env: target.env } : {}),
    ...(target.cwd ? { cwd: target.cwd } : {}),
    stderr,
    server: describeTarget(target),
    // One message may not exceed the whole list budget (plus room for the envelope).
    maxMessageBytes: limits.maxListBytes + 1024 * 1024,
  });
  if (options.onNote) transport.onnote = options.onNote;
  let tail = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });
  const start = transport.start.bind(transport);
  transport.start = async () => {
    await start();
    if (transport.pid !== null) options.onSpawn?.(transport.pid);
  };
  const watch = watchTransport(transport);
  return {
    client, watch, transport,
    stderrTail: () => tail,
    // The transport ends stdin, then SIGTERMs and SIGKILLs the server's whole process
    // group on a short clock, and resolves once it is gone (also after a failed connect).
    close: async () => {
      await client.close().catch(() => undefined);
      await transport.close();
    },
  };
}

/**
 * Reads a server URL, refusing what is not http(s).
 *
 * @throws InputError `URL_INVALID`
 */
export function parseServerUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError('URL_INVALID', `"${url}" is not a valid URL; give the server's Streamable HTTP endpoint, e.g. http://127.0.0.1:3001/mcp.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InputError('URL_INVALID', `The server URL must use http or https, not ${parsed.protocol}`);
  }
  return parsed;
}

function httpConnection(client: Client, target: Extract<ServerTarget, { kind: 'http' }>, limits: CaptureLimits): Connection {
  const parsed = parseServerUrl(target.url);
  // The SDK transport parses with JSON.parse: every body and event is checked strictly first,
  // and a refused one fails the connection at once (the SDK alone would wait for a timeout).
  const strict = strictFetch(`The MCP server ${describeTarget(target)}`, fetch, limits.maxListBytes + 1024 * 1024, (err) => {
    transport.onerror?.(err);
    void transport.close();
  });
  const transport = new StreamableHTTPClientTransport(parsed, { requestInit: { headers: { ...target.headers } }, fetch: strict });
  const watch = watchTransport(transport);
  return {
    client, watch, transport,
    stderrTail: () => '',
    close: async () => { await client.close().catch(() => undefined); },
  };
}
