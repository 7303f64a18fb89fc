import { CaptureError } from '../../errors.js';
import { resultServerInfo, withRequestMeta, type DiscoverInfo, type RequestEnvelope, type ServerIdentity } from '../../protocol/index.js';
import { buildManifest } from '../build.js';
import type { ClientProfile } from '../profile.js';
import type { Artifact, DynamicList, Manifest } from '../schema.js';
import { readList } from './dynamic.js';
import type { CaptureContext } from './context.js';
import { LISTS, type ListName } from '../lists.js';
import { listAll, type ListBudget } from './list.js';
import type { RequestFn } from './rpc.js';

/** What a modern-era capture needs besides the requester. */
export interface ModernCaptureInput {
  /** The revision chosen from `server/discover`. */
  version: string;
  discover: DiscoverInfo;
  envelope: RequestEnvelope;
  profile: ClientProfile;
  exclude?: string[] | undefined;
  artifacts?: Artifact[] | undefined;
  dynamic?: DynamicList[];
  onNote?: (note: string) => void;
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
  const lists: Partial<Record<ListName, Record<string, unknown>[]>> = {};
  // Only lists whose capability server/discover declared; in table order (the order of the manifest).
  for (const spec of LISTS) {
    if (input.discover.capabilities[spec.capability] === undefined) continue;
    lists[spec.name] = await readList(spec, input.dynamic, () => listAll(paged, spec.method, ctx, budget), input.onNote, ctx.server);
  }
  if (identity === undefined) {
    throw new CaptureError('SERVER_INFO_MISSING', `The MCP server ${ctx.server} named itself neither in server/discover nor in its results (_meta "io.modelcontextprotocol/serverInfo"); a manifest must name the server it belongs to.`);
  }
  const { instructions } = input.discover;
  return buildManifest({
    server: identity,
    capture: { protocolVersion: input.version, era: 'modern', clientProfile: input.profile.name, clientCapabilities: structuredClone(input.profile.capabilities) },
    ...(instructions !== undefined ? { instructions } : {}),
    ...lists,
    exclude: input.exclude,
    artifacts: input.artifacts,
    ...(input.dynamic ? { dynamic: input.dynamic } : {}),
  });
}

function sameIdentity(a: ServerIdentity, b: ServerIdentity): boolean {
  return a.name === b.name && a.version === b.version && a.title === b.title;
}

function show(info: ServerIdentity): string {
  return JSON.stringify(`${info.name}@${info.version}`.slice(0, 120));
}
