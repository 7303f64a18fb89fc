import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { ToolsealError } from '../errors.js';
import { captureLimits, describeTarget, type CaptureLimits, type ServerTarget } from '../manifest/capture/options.js';
import { StrictStdioClientTransport } from '../manifest/capture/strict-stdio.js';
import { strictFetch } from '../io/strict-http.js';

/** Options of {@link upstreamTransport}. */
export interface UpstreamOptions {
  /** Where a spawned server's stderr goes. Default `inherit`: the proxy's stderr, never its stdout. */
  stderr?: 'inherit' | 'ignore';
  /** Called with the pid of a spawned server. */
  onSpawn?: (pid: number) => void;
  /** `maxListBytes` (plus 1 MiB) also bounds one message from a spawned server. */
  limits?: Partial<CaptureLimits>;
}

/**
 * How long a spawned upstream gets after stdin closes and after SIGTERM: 1.2 s in all, so
 * the whole group is gone within 1.5 s of the client closing the proxy's stdin. The MCP
 * SDK's client SIGTERMs the proxy 2 s after closing its stdin and SIGKILLs it 2 s later;
 * a proxy still waiting out a longer grace of its own would be killed with a stubborn
 * server left behind.
 */
const UPSTREAM_GRACE = { termAfterMs: 500, killAfterMs: 700 };

/**
 * A client transport to the real server. A stdio server is spawned by the launch rule
 * (`target.env` and `target.cwd`, else `resolveLaunch()`: the proxy's environment minus
 * toolseal's and the runner's secrets), the same as capture and verify, and its stdout is
 * the protocol channel only, read strictly (see `StrictStdioClientTransport`: a line with
 * duplicate keys, lone surrogates or that is not JSON-RPC ends the session). `close()`
 * ends stdin, then SIGTERMs, then SIGKILLs the server's whole process group.
 */
export function upstreamTransport(target: ServerTarget, options: UpstreamOptions = {}): Transport {
  if (target.kind === 'http') {
    // Every JSON body and SSE event is read strictly before the SDK's JSON.parse sees it.
    // A refused event fails the session at once (the SDK alone would only log the broken stream).
    const fetch = strictFetch(`The server ${describeTarget(target)}`, globalThis.fetch, captureLimits(options.limits).maxListBytes + 1024 * 1024, (err) => {
      transport.onerror?.(err);
      void transport.close();
    });
    const transport = new StreamableHTTPClientTransport(new URL(target.url), { requestInit: { headers: target.headers ?? {} }, fetch });
    return transport;
  }
  const transport = new StrictStdioClientTransport({
    command: target.command, args: target.args ?? [], ...(target.env ? { env: target.env } : {}), stderr: options.stderr ?? 'inherit', ...(target.cwd ? { cwd: target.cwd } : {}),
    server: describeTarget(target),
    maxMessageBytes: captureLimits(options.limits).maxListBytes + 1024 * 1024,
    grace: UPSTREAM_GRACE,
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

/** What a guard session hears from its upstream transport (see {@link watchUpstream}). */
export interface UpstreamEvents {
  message(message: JSONRPCMessage): void;
  /** The transport closed; `refusal` is toolseal's own refusal of what the server sent, if there was one. */
  closed(refusal: ToolsealError | undefined): void;
  error(err: Error): void;
  /** A stdout line the strict stdio transport skipped (not JSON). */
  note(note: string): void;
}

/**
 * Wires `upstream`'s callbacks to `events`. toolseal's own refusal of what the server sent
 * (e.g. SERVER_JSON_INVALID from the strict stdio transport, which then closes) is kept and
 * handed to `closed`: it is the reason the session ends, not the close itself.
 */
export function watchUpstream(upstream: Transport, events: UpstreamEvents): void {
  let refusal: ToolsealError | undefined;
  upstream.onmessage = (message) => events.message(message);
  upstream.onclose = () => events.closed(refusal);
  upstream.onerror = (err) => {
    if (err instanceof ToolsealError) refusal ??= err;
    events.error(err);
  };
  if (upstream instanceof StrictStdioClientTransport) upstream.onnote = (note) => events.note(note);
}
