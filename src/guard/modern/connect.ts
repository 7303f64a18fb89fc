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

/**
 * True when an answer to `server/discover` shows a modern server: a result that lists
 * `supportedVersions`, or an error in the range the revision reserves (-32020..-32099,
 * e.g. -32022 with the versions it does support). Anything else is a legacy server.
 */
export function isModernAnswer(answer: RpcMessage): boolean {
  if (answer.result) return Array.isArray(answer.result.supportedVersions);
  const code = answer.error?.code;
  return typeof code === 'number' && code <= -32020 && code >= -32099;
}

export { strictFetch };
