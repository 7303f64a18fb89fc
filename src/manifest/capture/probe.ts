import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { CaptureError } from '../../errors.js';
import {
  classifyProbeError, commonModernVersion, eraOfVersion, parseDiscoverResult, withRequestMeta,
  type DiscoverInfo, type RequestEnvelope,
} from '../../protocol/index.js';
import type { CaptureContext } from './context.js';
import type { RequestFn } from './rpc.js';

/** What a `server/discover` probe found out. */
export type ProbeOutcome =
  /** `raw`: the `server/discover` result as sent (its `_meta` may offer a bundle), when the server answered one. */
  | { era: 'modern'; version: string; discover: DiscoverInfo; raw?: Record<string, unknown> }
  /** `closed`: the server ended the connection on the probe (some legacy servers exit on any pre-`initialize` request). */
  | { era: 'legacy'; reason: string; closed?: boolean };

/**
 * Probes with `server/discover` carrying the request envelope: over stdio as the spec's
 * backward-compatibility probe, over HTTP as the first request. A `DiscoverResult` offering
 * a revision toolseal speaks, or a recognized modern error, is modern evidence; any other
 * error answer is a legacy server. Silence is legacy on stdio (a legacy server may ignore
 * unknown requests) and an outage on HTTP, as is a 401/403 or 5xx answer: none of those is
 * era evidence. A server that offers only modern revisions toolseal does not speak is refused.
 *
 * @throws CaptureError `DISCOVER_INVALID`, `PROTOCOL_UNSUPPORTED`; or what the request threw
 *   (an outage, a refused message), for `toCaptureError`
 */
export async function probeDiscover(request: RequestFn, envelope: RequestEnvelope, timeoutMs: number, transport: 'stdio' | 'http', ctx: CaptureContext): Promise<ProbeOutcome> {
  ctx.step = 'server/discover';
  let raw: Record<string, unknown>;
  try {
    raw = await request('server/discover', withRequestMeta(undefined, envelope), timeoutMs);
  } catch (err) {
    return probeFailure(err, transport, ctx);
  }
  const parsed = parseDiscoverResult(raw);
  if (!parsed.ok) {
    throw new CaptureError('DISCOVER_INVALID', `The MCP server ${ctx.server} answered server/discover with a result toolseal cannot read: ${parsed.reason}.`);
  }
  const outcome = chooseVersion(parsed.value.supportedVersions, ctx, parsed.value);
  return outcome.era === 'modern' ? { ...outcome, raw } : outcome;
}

function probeFailure(err: unknown, transport: 'stdio' | 'http', ctx: CaptureContext): ProbeOutcome {
  if (err instanceof McpError) {
    if (err.code === ErrorCode.RequestTimeout) {
      if (transport === 'stdio') return { era: 'legacy', reason: 'it did not answer server/discover' };
      throw err;
    }
    if (err.code === ErrorCode.ConnectionClosed) {
      // The strict transport closes on a refused line: that refusal is the answer, not an era.
      if (transport === 'stdio' && ctx.transportError?.() === undefined) return { era: 'legacy', reason: 'it closed the connection on server/discover', closed: true };
      throw err;
    }
    const verdict = classifyProbeError({ code: err.code, data: err.data });
    if (verdict.era === 'legacy') return { era: 'legacy', reason: `it answered server/discover with error ${err.code}` };
    if (verdict.supported) return chooseVersion(verdict.supported, ctx);
    throw new CaptureError('PROTOCOL_UNSUPPORTED', `The MCP server ${ctx.server} refused toolseal's server/discover with error ${err.code} and named no protocol version it supports.`);
  }
  if (err instanceof StreamableHTTPError && typeof err.code === 'number' && err.code >= 400 && err.code < 500 && err.code !== 401 && err.code !== 403) {
    return { era: 'legacy', reason: `it answered server/discover with HTTP ${err.code}` };
  }
  throw err;
}

function chooseVersion(supported: string[], ctx: CaptureContext, discover?: DiscoverInfo): ProbeOutcome {
  const version = commonModernVersion(supported);
  if (version !== undefined && discover !== undefined) return { era: 'modern', version, discover };
  if (version !== undefined) {
    throw new CaptureError('PROTOCOL_UNSUPPORTED', `The MCP server ${ctx.server} refused toolseal's protocol version although it lists ${version} as supported.`);
  }
  if (supported.some((v) => eraOfVersion(v) === 'legacy')) return { era: 'legacy', reason: `it supports only ${supported.join(', ')}` };
  throw new CaptureError('PROTOCOL_UNSUPPORTED', `The MCP server ${ctx.server} supports only the protocol versions ${supported.slice(0, 5).join(', ')}, none of which toolseal speaks; upgrade toolseal.`);
}
