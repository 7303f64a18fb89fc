import { CaptureError } from '../../errors.js';
import { resultServerInfo, withRequestMeta, type DiscoverInfo, type RequestEnvelope, type ServerIdentity } from '../../protocol/index.js';
import type { Manifest } from '../schema.js';
import { capturedManifest, readDeclaredLists, type ManifestRecording } from './assemble.js';
import type { CaptureContext } from './context.js';
import { listAll, type ListBudget } from './list.js';
import type { RequestFn } from './rpc.js';

/** What a modern-era capture needs besides the requester. */
export interface ModernCaptureInput extends ManifestRecording {
  /** The revision chosen from `server/discover`. */
  version: string;
  discover: DiscoverInfo;
  envelope: RequestEnvelope;
}

/**
 * Captures the lists of a 2026-07-28 server statelessly: every page is a request whose
 * `_meta` carries the protocol version, client capabilities and client info; only lists
 * whose capability `server/discover` declared are read. The signed server info and
 * instructions are `server/discover`'s, exactly as `initialize`'s are in the legacy era;
 * `resultType` and the cache hints (`ttlMs`, `cacheScope`) describe the response and are
 * never entry content (entries are read from the result's list field only). A result whose
 * `_meta` server info names another server than `server/discover` did is refused: the server
 * tells different readers different things.
 *
 * @throws CaptureError `SERVER_INFO_MISSING`, `SERVER_INFO_INCONSISTENT`, and those of `listAll`
 */
export async function captureModernLists(request: RequestFn, input: ModernCaptureInput, ctx: CaptureContext): Promise<Manifest> {
  let identity = input.discover.serverInfo;
  const seen = (found: ServerIdentity | undefined, step: string): void => {
    if (found === undefined) return;
    if (identity === undefined) identity = found;
    else if (!sameIdentity(identity, found)) {
      throw new CaptureError('SERVER_INFO_INCONSISTENT', `The MCP server ${ctx.server} named itself ${show(found)} in ${step} but ${show(identity)} before; toolseal does not sign a server that names itself differently to different requests.`);
    }
  };
  const paged: RequestFn = async (method, params, timeoutMs) => {
    const result = await request(method, withRequestMeta(params, input.envelope), timeoutMs);
    const info = resultServerInfo(result);
    if (!info.ok) throw new CaptureError('LIST_MALFORMED', `The MCP server ${ctx.server} answered ${ctx.step} with a result whose ${info.reason}.`);
    seen(info.value, ctx.step);
    return result;
  };
  const budget: ListBudget = { usedBytes: 0 };
  const lists = await readDeclaredLists(input.discover.capabilities, input, ctx.server, (spec) => listAll(paged, spec.method, ctx, budget));
  if (identity === undefined) {
    throw new CaptureError('SERVER_INFO_MISSING', `The MCP server ${ctx.server} named itself neither in server/discover nor in its results (_meta "io.modelcontextprotocol/serverInfo"); a manifest must name the server it belongs to.`);
  }
  return capturedManifest({ server: identity, protocolVersion: input.version, era: 'modern', instructions: input.discover.instructions }, input, lists);
}

function sameIdentity(a: ServerIdentity, b: ServerIdentity): boolean {
  return a.name === b.name && a.version === b.version && a.title === b.title;
}

function show(info: ServerIdentity): string {
  return JSON.stringify(`${info.name}@${info.version}`.slice(0, 120));
}
