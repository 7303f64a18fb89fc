import type { Artifact, Manifest } from '../manifest/schema.js';
import type { ServerJson } from './server-json.js';

type Package = NonNullable<ServerJson['packages']>[number];

/**
 * Whether a signed manifest is about this registry entry. A bundle says who signed which
 * tool list; without this check a bundle an owner signed for one of its servers would
 * "verify" for every entry that points at it. The manifest is bound when its server name is
 * the entry's name, or when one of its `artifacts` names a package of the entry (same
 * registry type, identifier and version) or is one of its remotes' URLs exactly. Returns a
 * sentence when it is not bound.
 */
export function bindingProblem(server: ServerJson, manifest: Manifest): string | undefined {
  if (manifest.server.name === server.name) return undefined;
  const packages = server.packages ?? [];
  const remotes = remoteUrls(server);
  const artifacts = manifest.artifacts ?? [];
  if (artifacts.some((a) => packages.some((p) => artifactNamesPackage(a, p)) || remotes.includes(a.uri))) return undefined;
  const named = artifacts.length > 0 ? `artifacts ${artifacts.map((a) => a.uri).join(', ')}` : 'no artifacts';
  const listed = [...packages.map((p) => `${p.identifier}@${p.version ?? '(no version)'}`), ...remotes].join(', ') || 'no packages or remotes';
  return `the signed manifest is for server "${manifest.server.name}" with ${named}, but this entry is ${server.name} with ${listed}. A bundle signed for another server or package cannot vouch for this one; the publisher must sign this server (toolseal sign --artifact with its package's purl or its remote's URL).`;
}

/** The URLs of the entry's `remotes` (the registry's schema: `{type, url}`). */
function remoteUrls(server: ServerJson): string[] {
  const remotes = (server as { remotes?: unknown }).remotes;
  if (!Array.isArray(remotes)) return [];
  return remotes.map((r) => (r as { url?: unknown } | null)?.url).filter((u): u is string => typeof u === 'string');
}

/** purl types for registry types whose identifiers are purl names. */
const PURL_TYPES: Record<string, string> = { npm: 'npm', pypi: 'pypi', nuget: 'nuget', cargo: 'cargo' };

/**
 * An artifact names a package when it is the package's purl (`pkg:npm/%40acme/weather@1.4.0`,
 * qualifiers and subpath aside), or, for OCI images and MCPB files whose identifier is itself a
 * reference, when its URI is the identifier (with `:version` or `@version` when the
 * identifier has none). A package without a version binds nothing: any version would do.
 */
function artifactNamesPackage(artifact: Artifact, pkg: Package): boolean {
  if (!pkg.version) return false;
  const purl = parsePurl(artifact.uri);
  const type = PURL_TYPES[pkg.registryType];
  if (purl && type) return purl.type === type && purl.version === pkg.version && samePackageName(type, purl.name, pkg.identifier);
  if (type) return false;
  return [pkg.identifier, `${pkg.identifier}:${pkg.version}`, `${pkg.identifier}@${pkg.version}`].includes(artifact.uri);
}

/** PyPI names compare normalized (PEP 503); the others exactly. */
export function samePackageName(type: string, a: string, b: string): boolean {
  if (type !== 'pypi') return a === b;
  const norm = (s: string): string => s.toLowerCase().replace(/[-_.]+/g, '-');
  return norm(a) === norm(b);
}

/** `pkg:type/namespace/name@version?qualifiers#subpath` → its parts, percent-decoded. */
function parsePurl(uri: string): { type: string; name: string; version: string } | undefined {
  // The version follows the last `@` (an npm scope's `@` is often left unencoded).
  const match = /^pkg:([a-zA-Z][a-zA-Z0-9.+-]*)\/([^?#]+)@([^@?#/]+)(?:[?#].*)?$/.exec(uri);
  if (!match) return undefined;
  try {
    const name = match[2]!.replace(/^\/+/, '').split('/').map(decodeURIComponent).join('/');
    return { type: match[1]!.toLowerCase(), name, version: decodeURIComponent(match[3]!) };
  } catch {
    return undefined;
  }
}
