import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ToolsealError } from '../../errors.js';

/** What {@link watchTransport} observed on a transport. */
export interface TransportWatch {
  /** The protocol version the server chose in its `initialize` result, once seen. */
  protocolVersion(): string | undefined;
  /** The server's whole `initialize` result, once seen (its `_meta` may offer a bundle). */
  initializeResult(): Record<string, unknown> | undefined;
  /** The first error toolseal itself raised on the transport, else the last error it reported. */
  lastError(): Error | undefined;
}

/**
 * Observes a transport before a `Client` connects to it (the SDK chains callbacks that
 * are already set): records the negotiated protocol version, which the SDK client does
 * not expose, and the transport's error.
 */
export function watchTransport(transport: Transport): TransportWatch {
  let initializeId: string | number | undefined;
  let version: string | undefined;
  let initialized: Record<string, unknown> | undefined;
  let error: Error | undefined;
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    if ('method' in message && message.method === 'initialize' && 'id' in message) initializeId = message.id;
    return send(message, options);
  };
  transport.onmessage = (message) => {
    if (version !== undefined || initializeId === undefined || !('id' in message) || message.id !== initializeId) return;
    const result = (message as { result?: { protocolVersion?: unknown } }).result;
    if (typeof result?.protocolVersion === 'string') {
      version = result.protocolVersion;
      initialized = result as Record<string, unknown>;
    }
  };
  // A refusal by toolseal (a ToolsealError) explains what follows; later errors (a pipe
  // breaking as the server is ended) must not hide it.
  transport.onerror = (err) => { if (!(error instanceof ToolsealError)) error = err; };
  return { protocolVersion: () => version, initializeResult: () => initialized, lastError: () => error };
}
