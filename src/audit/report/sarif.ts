import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256Hex } from '../../manifest/canonical.js';
import type { AuditReport, AuditRun, ServerAudit } from '../result.js';
import { AUDIT_RULES, type AuditStatus } from '../rules.js';
import { Spool, type ReportDestination, type ReportPart } from './spool.js';
import type { AuditReportWriter } from './writer.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const DOCS = 'https://github.com/toolseal/toolseal/blob/main/docs/audit.md';
/** The `uriBaseId` under which every registry server has its file-like location. */
export const SARIF_REGISTRY_BASE_ID = 'MCP_REGISTRY';
/** GitHub code scanning stores at most this many results of a run (and refuses a run over 25,000). */
export const CODE_SCANNING_RESULT_LIMIT = 5000;

type Level = 'none' | 'note' | 'warning' | 'error';

/** SARIF severity per status: a failed check is an error, a missing or unreachable attestation a warning. */
const LEVELS: Record<AuditStatus, Level> = {
  verified: 'none', mismatch: 'error', 'wrong-signer': 'error', unsigned: 'warning', unreachable: 'warning', malformed: 'error',
};

/** GitHub's security severity (0–10) per status, which code scanning shows as critical/high/medium/low. */
const SECURITY_SEVERITY: Record<AuditStatus, string> = {
  verified: '0.0', mismatch: '8.0', 'wrong-signer': '8.0', malformed: '5.0', unsigned: '3.0', unreachable: '3.0',
};

/** Options of the SARIF output. */
export interface SarifOptions {
  /** Also write verified servers, as `kind: "pass"` results (default false: code scanning shows only problems). */
  includePass?: boolean;
}

/**
 * The report as SARIF 2.1.0 for GitHub code scanning: one run, every rule (same ids as the
 * JSON report), one result per server that is not verified (and, with `includePass`, one
 * `pass` per verified one). Each server has a stable file-like location, its name under
 * {@link SARIF_REGISTRY_BASE_ID} (a registry) or its file (server.json files), and a
 * fingerprint of its name and rule, so alerts stay put when other servers come and go.
 * Errors come first, then warnings, so code scanning's first 5,000 are the most severe.
 */
export function toSarif(report: AuditReport, options: SarifOptions = {}): object {
  const results = [...report.servers].filter((s) => options.includePass || s.status !== 'verified')
    .sort((a, b) => LEVEL_ORDER[LEVELS[a.status]] - LEVEL_ORDER[LEVELS[b.status]]);
  const log = sarifLog(report);
  (log.runs[0] as { results: object[] }).results = results.map(sarifResult);
  return log;
}

const LEVEL_ORDER: Record<Level, number> = { error: 0, warning: 1, note: 2, none: 3 };

/** A SARIF log of one run without its results (`results` is empty). */
function sarifLog(run: AuditRun): { $schema: string; version: '2.1.0'; runs: object[] } {
  const base = run.listing?.url ? registryBase(run.source) : undefined;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'toolseal', version: run.toolVersion, informationUri: DOCS, rules: AUDIT_RULES.map(sarifRule) } },
      ...(base ? { originalUriBaseIds: { [SARIF_REGISTRY_BASE_ID]: { uri: base, description: { text: `The MCP registry audited (${run.listing!.url}); each server's location is its name.` } } } } : {}),
      invocations: [{ executionSuccessful: run.complete }],
      properties: { source: run.source, summary: run.summary, ...(run.listing ? { listing: run.listing } : {}) },
      results: [],
    }],
  };
}

function sarifRule(rule: (typeof AUDIT_RULES)[number]): object {
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.description },
    helpUri: `${DOCS}#statuses-and-rules`,
    help: { text: `${rule.description} See ${DOCS}#statuses-and-rules for what to do.` },
    defaultConfiguration: { level: LEVELS[rule.status] },
    properties: { status: rule.status, tags: ['security', 'supply-chain', 'mcp'], 'security-severity': SECURITY_SEVERITY[rule.status] },
  };
}

/** One server as a SARIF result. */
export function sarifResult(server: ServerAudit): object {
  const ruleIndex = AUDIT_RULES.findIndex((r) => r.id === server.rule.id);
  return {
    ruleId: server.rule.id,
    ruleIndex,
    kind: server.status === 'verified' ? 'pass' : 'fail',
    level: LEVELS[server.status],
    message: { text: server.registryStatus === 'deprecated' ? `${server.reason} (The registry marks this server deprecated.)` : server.reason },
    locations: [{
      physicalLocation: { artifactLocation: artifactLocation(server), region: { startLine: 1 } },
      logicalLocations: [{ name: server.name, fullyQualifiedName: server.version ? `${server.name}@${server.version}` : server.name, kind: 'module' }],
    }],
    partialFingerprints: { 'toolsealServer/v1': sha256Hex(new TextEncoder().encode(`${server.name}\n${server.rule.id}`)) },
    properties: {
      status: server.status,
      origin: server.origin,
      ...(server.version ? { version: server.version } : {}),
      ...(server.registryStatus ? { registryStatus: server.registryStatus } : {}),
      ...(server.code ? { code: server.code } : {}),
      ...(server.manifestDigest ? { manifestDigest: server.manifestDigest } : {}),
      ...(server.bundle ? { bundle: server.bundle.source } : {}),
    },
  };
}

/**
 * A registry server's location is `<namespace>/<name>/server.json` under the registry's base
 * id: the same whatever its page, cursor or index, and a path code scanning can show. A
 * server.json file is its own location (relative when under the working directory).
 */
function artifactLocation(server: ServerAudit): { uri: string; uriBaseId?: string } {
  if (/^https?:\/\//.test(server.origin)) return { uri: `${server.name.split('/').map(encodeURIComponent).join('/')}/server.json`, uriBaseId: SARIF_REGISTRY_BASE_ID };
  const path = server.origin.replace(/#servers\/\d+$/, '');
  if (!isAbsolute(path)) return { uri: path.split(/[\\/]/).map(encodeURIComponent).join('/') };
  const rel = relative(process.cwd(), path);
  if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return { uri: rel.split(sep).map(encodeURIComponent).join('/') };
  return { uri: pathToFileURL(path).href };
}

/** The registry's base URL as given (query and fragment dropped), ending in `/` as SARIF requires. */
function registryBase(source: string): string | undefined {
  try {
    const url = new URL(source);
    url.search = '';
    url.hash = '';
    return url.href.endsWith('/') ? url.href : `${url.href}/`;
  } catch {
    return undefined;
  }
}

/**
 * Streams the SARIF log: results are spooled by level as servers finish and joined, errors
 * first, into the destination when the run ends. `results` counts what was written.
 */
export async function sarifWriter(dir: string, destination: ReportDestination, options: SarifOptions = {}): Promise<AuditReportWriter & { results: number }> {
  const spools = { error: await Spool.open(dir, 'sarif-error'), warning: await Spool.open(dir, 'sarif-warning'), rest: await Spool.open(dir, 'sarif-rest') };
  const written = { error: 0, warning: 0, rest: 0 };
  const writer = {
    results: 0,
    async add(server: ServerAudit): Promise<void> {
      if (server.status === 'verified' && !options.includePass) return;
      const level = LEVELS[server.status];
      const key = level === 'error' || level === 'warning' ? level : 'rest';
      const text = JSON.stringify(sarifResult(server));
      await spools[key].write(written[key]++ === 0 ? text : `,\n${text}`);
      writer.results++;
    },
    async finish(run: AuditRun): Promise<void> {
      const head = JSON.stringify(sarifLog(run));
      // sarifLog puts `results: []` last in the one run, so the document ends with these bytes.
      const tail = '"results":[]}]}';
      if (!head.endsWith(tail)) throw new Error('sarifLog must end with the run\'s empty results');
      const parts: ReportPart[] = [head.slice(0, -tail.length), '"results":[\n'];
      const filled = (['error', 'warning', 'rest'] as const).filter((k) => written[k] > 0);
      filled.forEach((k, i) => parts.push(...(i > 0 ? [',\n'] : []), spools[k]));
      await destination.write([...parts, '\n]}]}\n']);
    },
  };
  return writer;
}
