import { z } from 'zod';

/** The MCP clients whose configuration files toolseal reads. */
export const CLIENT_IDS = ['claude-desktop', 'claude-code', 'cursor', 'vscode', 'windsurf', 'gemini-cli', 'codex'] as const;
/** One MCP client whose configuration toolseal reads. */
export type ClientId = (typeof CLIENT_IDS)[number];
/** zod enum of {@link CLIENT_IDS}. */
export const ClientIdSchema = z.enum(CLIENT_IDS);

/** A client configuration file: which client reads it, and whether it is per user or per project. */
export interface ConfigFile {
  client: ClientId;
  path: string;
  scope: 'user' | 'project';
  /** The project a project file belongs to (its folder): `${workspaceFolder}` and relative paths resolve here. */
  workspace?: string;
}

/**
 * One MCP server as a client's configuration declares it, values exactly as written (variables
 * not yet expanded: that happens when it is launched, see `launchTarget`).
 */
export interface ConfiguredServer {
  name: string;
  client: ClientId;
  file: string;
  /** JSON-pointer tokens of the entry inside the file, e.g. `['mcpServers', 'weather']`. */
  at: string[];
  /** The project folder this entry belongs to (project files, `~/.claude.json` per-project entries). */
  workspace?: string;
  transport: 'stdio' | 'http' | 'sse';
  command?: string;
  args: string[];
  env: Record<string, string>;
  /** A dotenv file whose variables are added (VS Code, Cursor `envFile`). */
  envFile?: string;
  cwd?: string;
  /** Variables passed through from the client's own environment by name (Codex `env_vars`). */
  envPassthrough: string[];
  url?: string;
  headers: Record<string, string>;
  /** Headers whose value is a `${VAR}` template over the environment (Codex `env_http_headers`, `bearer_token_env_var`). */
  headerEnv: Record<string, string>;
  /** The client does not start it (Codex `enabled = false`, Claude `disabled: true`). */
  disabled: boolean;
  /** The entry runs the server behind `toolseal proxy --lock` (see `innerServer`); the fields above describe the server itself. */
  wrapped?: { lockPath: string };
}

/** Where a server was found, for reports and the lock (the path with the home folder as `~`). */
export function whereFound(server: Pick<ConfiguredServer, 'client' | 'file' | 'at'>): string {
  return `${server.file} (${server.client}) at /${server.at.map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}
