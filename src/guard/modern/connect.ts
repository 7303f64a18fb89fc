import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { describeTarget, captureLimits, type ServerTarget } from '../../manifest/capture/options.js';
import { strictFetch } from '../../io/strict-http.js';
import type { RpcMessage } from '../rpc.js';
import type { UpstreamOptions } from '../upstream.js';
import { HttpModernUpstream, StdioModernUpstream, type ModernUpstream } from './upstream.js';

/**
 * The modern upstream for a target: over a stdio server's running transport (`raw`), or
 * one POST per request to an HTTP server. `onUnrelated` receives the notifications of a
 * stdio server that belong to no request in flight; `onClose` is called when a stdio
 * server's connection ends.
 */
export function modernUpstreamFor(target: ServerTarget, raw: Transport | undefined, options: UpstreamOptions & { onClose?: () => void } = {}): { upstream: ModernUpstream; onUnrelated: (handler: (n: RpcMessage) => void) => void } {
  const server = describeTarget(target);
  if (target.kind === 'http') {
    const upstream = new HttpModernUpstream({ url: target.url, server, maxMessageBytes: captureLimits(options.limits).maxListBytes + 1024 * 1024, ...(target.headers ? { headers: target.headers } : {}) });
    return { upstream, onUnrelated: () => {} };
  }
  if (!raw) throw new Error('modernUpstreamFor: a stdio target needs its running transport');
  const upstream = new StdioModernUpstream(raw, server);
  upstream.attach(options.onClose);
  return { upstream, onUnrelated: (handler) => { upstream.onUnrelated = handler; } };
}

export { strictFetch };
