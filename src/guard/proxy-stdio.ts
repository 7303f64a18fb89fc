import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { LineWriter } from '../manifest/capture/lines.js';
import type { ServerTarget } from '../manifest/capture/options.js';
import { GuardSession, type GuardOptions } from './session.js';
import { upstreamTransport, type UpstreamOptions } from './upstream.js';

/** How a proxy session ended. */
export interface ProxyEnd {
  /** `client`: the client went away; `refused`: enforce block refused the server; `upstream`: the server ended or failed. */
  reason: 'client' | 'refused' | 'upstream';
  error?: Error;
}

/** Options of {@link runStdioProxy}. */
export interface StdioProxyOptions extends GuardOptions, UpstreamOptions {
  upstream: ServerTarget;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}

/**
 * Runs one guarded session between this process's stdin/stdout (the MCP client) and the
 * upstream server, and resolves when it ends. When stdin ends (the client went away) the
 * upstream is closed, so a spawned server never outlives the proxy's client.
 */
export async function runStdioProxy(options: StdioProxyOptions): Promise<ProxyEnd & { session: GuardSession }> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  // The SDK transport reads the client; writes go through a LineWriter, which joins the
  // messages of one event-loop turn into one write (the SDK writes each one by itself).
  const downstream = new StdioServerTransport(stdin as never, stdout as never);
  const toClient = new LineWriter(stdout);
  const session = new GuardSession(upstreamTransport(options.upstream, options), {
    send: (message) => toClient.send(message),
    close: () => downstream.close(),
  }, options);
  let clientGone = false;
  const ended = new Promise<ProxyEnd & { session: GuardSession }>((resolve) => {
    session.onclose = (error) => {
      const reason = clientGone ? 'client' : error?.name === 'SessionRefusedError' ? 'refused' : 'upstream';
      resolve({ reason, ...(error && reason !== 'client' ? { error } : {}), session });
    };
  });
  downstream.onmessage = (message) => session.fromClient(message);
  const clientClosed = (): void => {
    clientGone = true;
    void session.close();
  };
  stdin.once('end', clientClosed);
  stdin.once('close', clientClosed);
  try {
    await session.start();
  } catch (err) {
    await session.close(err as Error);
    return ended;
  }
  await downstream.start();
  return ended;
}
