import { currentLocationContext, wellKnownConfigs, type LocationContext } from './locations.js';
import type { ConfigFile, ConfiguredServer } from './model.js';
import { readConfigFile } from './read-config.js';

/** Options of {@link findConfiguredServers}. */
export interface FindServersOptions {
  /** Files named by the user (`--config`); each must exist. */
  configs?: ConfigFile[];
  /** Also read every client's well-known files. Default: only when no `configs` are given. */
  wellKnown?: boolean;
  context?: LocationContext;
}

/** The configuration files read and every server they declare, in file order. */
export interface FoundServers {
  files: ConfigFile[];
  servers: ConfiguredServer[];
}

/**
 * Reads the clients' configuration files (the well-known ones that exist, and any named) and
 * returns every MCP server they declare. A malformed file stops the scan with an error naming it:
 * scanning the others would report a clean result while a server the client runs went unseen.
 */
export async function findConfiguredServers(options: FindServersOptions = {}): Promise<FoundServers> {
  const named = options.configs ?? [];
  const wellKnown = options.wellKnown ?? named.length === 0;
  const candidates = [
    ...named.map((file) => ({ file, mustExist: true })),
    ...(wellKnown ? wellKnownConfigs(options.context ?? currentLocationContext()).map((file) => ({ file, mustExist: false })) : []),
  ];
  const seen = new Set<string>();
  const out: FoundServers = { files: [], servers: [] };
  for (const { file, mustExist } of candidates) {
    if (seen.has(file.path)) continue;
    seen.add(file.path);
    const read = await readConfigFile(file, { mustExist });
    if (!read) continue;
    out.files.push(file);
    out.servers.push(...read.servers);
  }
  return out;
}
