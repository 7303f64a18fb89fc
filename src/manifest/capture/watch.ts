import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/** What {@link watchTransport} observed on a transport. */
export interface TransportWatch {
  /** The protocol version the server chose in its `initialize` result, once seen. */
  protocolVersion(): string | undefined;
  /** The last error the transport reported. */
  lastError(): Error | undefined;
}

/**
 * Observes a transport before a `Client` connects to it (the SDK chains callbacks that
 * are already set): records the negotiated protocol version, which the SDK client does
 * not expose, and the transport's last error.
 */
export function watchTransport(transport: Transport): TransportWatch {
  let initializeId: string | number | undefined;
  let version: string | undefined;
  let error: Error | undefined;
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    if ('method' in message && message.method === 'initialize' && 'id' in message) initializeId = message.id;
    return send(message, options);
  };
  transport.onmessage = (message) => {
    if (version !== undefined || initializeId === undefined || !('id' in message) || message.id !== initializeId) return;
    const result = (message as { result?: { protocolVersion?: unknown } }).result;
    if (typeof result?.protocolVersion === 'string') version = result.protocolVersion;
  };
  transport.onerror = (err) => { error = err; };
  return { protocolVersion: () => version, lastError: () => error };
}
