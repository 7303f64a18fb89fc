import type { Manifest } from '../../manifest/schema.js';
import { META, metaOf } from '../../protocol/wire.js';
import type { ContextView } from './views.js';

/** The server a manifest signs; undefined before any view was verified. */
type SignedServer = Manifest['server'] | undefined;

/** The server info as the manifest signs it (name, version, title); empty before any view was verified. */
export function signedServerInfo(server: SignedServer): Record<string, unknown> {
  if (!server) return {};
  return { name: server.name, version: server.version, ...(server.title !== undefined ? { title: server.title } : {}) };
}

/** A result whose `_meta` names the server: the name the manifest signs replaces the live one. */
export function withSignedInfo(result: Record<string, unknown>, server: SignedServer): Record<string, unknown> {
  const meta = metaOf(result);
  if (meta?.[META.serverInfo] === undefined) return result;
  return { ...result, _meta: { ...meta, [META.serverInfo]: signedServerInfo(server) } };
}

/** The discover answer as a client may see it: signed server info, instructions only when verified. */
export function discoverResult(view: ContextView, server: SignedServer): Record<string, unknown> {
  const { instructions, ...rest } = view.discover ?? {};
  const exposed = view.verifier?.decision?.verdict.instructions.exposed ?? false;
  return { ...withSignedInfo(rest, server), ...(exposed && instructions !== undefined ? { instructions } : {}) };
}
