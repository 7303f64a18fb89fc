import { basename } from 'node:path';
import { samePackageName } from '../audit/binding.js';
import { readRegistry, type RegistryListOptions } from '../audit/registry-client.js';
import { parseServerJson, toolsealMetaOf, type ServerJson } from '../audit/server-json.js';
import type { ConfiguredServer } from './model.js';

/** The package a configured stdio server runs through a package runner, named as a registry lists packages. */
export interface RunnerPackage {
  registryType: 'npm' | 'pypi';
  identifier: string;
  /** The pinned version, when the command pins one (`@acme/weather@1.4.0`, `weather==1.4.0`). */
  version?: string;
}

/** A configured server's entry in an MCP registry. */
export interface RegistryMatch {
  entry: ServerJson;
  /** Where the entry was listed (`<list URL>#servers/<i>`). */
  origin: string;
}

/** The package runners whose first operand is the package, with the options that take a value (the package itself for `-p`/`--package`/`--from`). */
const RUNNERS: Record<string, { registryType: RunnerPackage['registryType']; packageFlags: string[]; valueFlags: string[] }> = {
  npx: { registryType: 'npm', packageFlags: ['-p', '--package'], valueFlags: ['--registry', '--cache', '--userconfig'] },
  uvx: { registryType: 'pypi', packageFlags: ['--from'], valueFlags: ['--with', '--python', '-p', '--index', '--index-url', '--extra-index-url'] },
};

/**
 * The package a stdio server's command runs, for `npx` (npm) and `uvx` (PyPI): the `--package` /
 * `--from` value, else the first operand. Anything else (a local script, a container) has no
 * package a registry could name, and gives `undefined`.
 */
export function runnerPackage(server: Pick<ConfiguredServer, 'transport' | 'command' | 'args'>): RunnerPackage | undefined {
  if (server.transport !== 'stdio' || !server.command) return undefined;
  const runner = RUNNERS[basename(server.command).replace(/\.(cmd|exe)$/i, '')];
  if (!runner) return undefined;
  let spec: string | undefined;
  for (let i = 0; i < server.args.length && spec === undefined; i++) {
    const arg = server.args[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (runner.packageFlags.includes(flag)) spec = inline ?? server.args[++i];
    else if (runner.valueFlags.includes(flag)) { if (inline === undefined) i++; }
    else if (arg === '--') spec = server.args[i + 1];
    else if (!arg.startsWith('-')) spec = arg;
  }
  return spec ? parseSpec(runner.registryType, spec) : undefined;
}

function parseSpec(registryType: RunnerPackage['registryType'], spec: string): RunnerPackage | undefined {
  const match = registryType === 'npm' ? /^((?:@[^/@\s]+\/)?[^/@\s]+)(?:@([^@\s]+))?$/.exec(spec) : /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?(?:(?:==|@)([^\s]+))?$/.exec(spec);
  if (!match) return undefined;
  // A tag or range (`latest`, `^1`) pins nothing: any listed version may be what runs.
  const version = match[2] !== undefined && /^\d+\.\d+\.\d+(?:[-+.][0-9A-Za-z.+-]*)?$/.test(match[2]) ? match[2] : undefined;
  return { registryType, identifier: match[1]!, ...(version ? { version } : {}) };
}

/**
 * Reads a registry's latest entries once and finds the entry of each configured server: the
 * entry listing the package the server's runner starts (same registry type and name, and the
 * same version when the command pins one), or a remote whose URL is the server's URL exactly.
 * When several entries list it, one that points to a toolseal bundle is preferred, else the
 * first listed. A registry that cannot be read throws (scan then cannot vouch for anything it
 * was asked to look up).
 *
 * @throws InputError `REGISTRY_URL_INVALID`, `REGISTRY_UNREACHABLE`, `REGISTRY_RESPONSE_INVALID`, ...
 */
export async function findRegistryEntries(servers: readonly ConfiguredServer[], registryUrl: string, options: RegistryListOptions = {}): Promise<Map<ConfiguredServer, RegistryMatch>> {
  const wanted = servers.filter((s) => !s.disabled).map((s) => ({ server: s, pkg: runnerPackage(s), url: s.transport === 'stdio' ? undefined : s.url }));
  const found = new Map<ConfiguredServer, RegistryMatch>();
  if (!wanted.some((w) => w.pkg || w.url)) return found;
  for await (const raw of readRegistry(registryUrl, options).entries) {
    const parsed = parseServerJson(raw.value);
    if (!parsed.ok) continue;
    for (const w of wanted) {
      if (!listsServer(parsed.server, w.pkg, w.url)) continue;
      const held = found.get(w.server);
      if (!held || (!hasPointer(held.entry) && hasPointer(parsed.server))) found.set(w.server, { entry: parsed.server, origin: raw.origin });
    }
  }
  return found;
}

function listsServer(entry: ServerJson, pkg: RunnerPackage | undefined, url: string | undefined): boolean {
  if (pkg) {
    return (entry.packages ?? []).some((p) => p.registryType === pkg.registryType && samePackageName(pkg.registryType, pkg.identifier, p.identifier) && (pkg.version === undefined || p.version === pkg.version));
  }
  const remotes = (entry as { remotes?: unknown }).remotes;
  return url !== undefined && Array.isArray(remotes) && remotes.some((r) => (r as { url?: unknown } | null)?.url === url);
}

function hasPointer(entry: ServerJson): boolean {
  return toolsealMetaOf(entry).kind === 'pointer';
}
