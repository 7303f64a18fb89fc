import { compareManifests, type MatchMode } from '../compare/index.js';
import { ToolsealError } from '../errors.js';
import { captureLike } from '../manifest/capture/like.js';
import type { ServerTarget } from '../manifest/capture/options.js';
import type { Launch } from '../launch/resolve.js';
import type { Manifest } from '../manifest/schema.js';
import type { ServerAudit } from './result.js';
import { auditRule, type AuditRuleName } from './rules.js';
import type { ServerJson } from './server-json.js';

/**
 * `--live`: starts or connects to the server a server.json describes, captures it with
 * the client profile the signed manifest records, and compares. Returns the final result
 * for a server whose attestation already verified (`base` holds what was established).
 */
export interface LiveCheck {
  check(server: ServerJson, signed: Manifest, match: MatchMode, base: Pick<ServerAudit, 'name' | 'origin'> & Partial<ServerAudit>): Promise<ServerAudit>;
}

/** Options of {@link createLiveCheck}. */
export interface LiveCheckOptions {
  /** Timeout of each MCP request, in ms (default 30,000). */
  requestTimeoutMs?: number;
  /** The command that runs npm packages (default `npx`). */
  npx?: string;
  /** How each npm package is started (`resolveLaunch`); default: the launch rule's default. */
  launch?: Launch;
}

const NPM_PUBLIC = 'https://registry.npmjs.org';

/**
 * Where to reach a server: its first Streamable HTTP remote whose URL has no
 * `{variables}` (connecting runs nothing here), else its first npm package, run with
 * `npx -y name@version` (from the package's `registryBaseUrl` when it names another npm
 * registry), started by the launch rule (`launch`, else its default). Running a package executes the publisher's code on this machine
 * (docs/audit.md); the caller opted in with --live.
 */
export function liveTarget(server: ServerJson, npx = 'npx', launch?: Launch): ServerTarget | undefined {
  const remotes = (server as { remotes?: unknown }).remotes;
  for (const remote of Array.isArray(remotes) ? (remotes as { type?: unknown; url?: unknown }[]) : []) {
    if (remote?.type === 'streamable-http' && typeof remote.url === 'string' && !remote.url.includes('{')) return { kind: 'http', url: remote.url };
  }
  const npm = server.packages?.find((p) => p.registryType === 'npm' && p.version);
  if (!npm) return undefined;
  const registry = npm.registryBaseUrl && npm.registryBaseUrl.replace(/\/+$/, '') !== NPM_PUBLIC ? ['--registry', npm.registryBaseUrl] : [];
  return { kind: 'stdio', command: npx, args: ['-y', ...registry, `${npm.identifier}@${npm.version}`], ...launch };
}

/** The production {@link LiveCheck} over `captureLike` and `compareManifests`. */
export function createLiveCheck(options: LiveCheckOptions = {}): LiveCheck {
  return {
    async check(server, signed, match, base) {
      const done = (rule: AuditRuleName, reason: string, extra: Partial<ServerAudit> = {}): ServerAudit => {
        const r = auditRule(rule);
        return { cached: false, ...base, ...extra, status: r.status, rule: { id: r.id, name: r.name }, reason };
      };
      const target = liveTarget(server, options.npx, options.launch);
      if (!target) return done('live-capture-failed', `${server.name}: --live needs an npm package with a version or a Streamable HTTP remote without variables; server.json has neither.`);
      let live: Manifest;
      try {
        live = await captureLike(signed, target, { ...(signed.artifacts ? { artifacts: signed.artifacts } : {}), requestTimeoutMs: options.requestTimeoutMs ?? 30_000 });
      } catch (err) {
        if (!(err instanceof ToolsealError)) throw err;
        return done('live-capture-failed', `${server.name}: the live server could not be captured: ${err.message}`, { code: err.code });
      }
      const diff = compareManifests(signed, live, { match });
      if (diff.ok) return done('verified', `${server.name} ${server.version}: manifest ${base.manifestDigest} verified, and the live server matches it (${match}).`, { diff });
      const counts = `${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.renamed.length} renamed, ${diff.server.length} server-level change(s)`;
      return done('live-mismatch', `${server.name}: the live server differs from the signed manifest (${counts}). Do not use this server until the publisher re-signs or the difference is explained.`, { diff, code: 'LIVE_MISMATCH' });
    },
  };
}
