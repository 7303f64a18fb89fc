import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import { sha256Hex } from '../../manifest/canonical.js';
import type { AuditReport, ServerAudit } from '../result.js';
import { AUDIT_RULES, type AuditStatus } from '../rules.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** SARIF severity per status: a failed check is an error, a missing or unreachable attestation a warning. */
const LEVELS: Record<AuditStatus, 'none' | 'warning' | 'error'> = {
  verified: 'none', mismatch: 'error', 'wrong-signer': 'error', unsigned: 'warning', unreachable: 'warning', malformed: 'error',
};

/**
 * The report as SARIF 2.1.0: one run, every rule (same ids as the JSON report), and one
 * result per server; verified servers are `kind: "pass"` so the log is a full inventory.
 */
export function toSarif(report: AuditReport): object {
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'toolseal',
          version: report.toolVersion,
          informationUri: 'https://github.com/toolseal/toolseal/blob/main/docs/audit.md',
          rules: AUDIT_RULES.map((rule) => ({
            id: rule.id,
            name: rule.name,
            shortDescription: { text: rule.description },
            defaultConfiguration: { level: LEVELS[rule.status] },
            properties: { status: rule.status },
          })),
        },
      },
      invocations: [{ executionSuccessful: report.complete }],
      results: report.servers.map(toResult),
      properties: { source: report.source, summary: report.summary },
    }],
  };
}

function toResult(server: ServerAudit): object {
  const ruleIndex = AUDIT_RULES.findIndex((r) => r.id === server.rule.id);
  return {
    ruleId: server.rule.id,
    ruleIndex,
    kind: server.status === 'verified' ? 'pass' : 'fail',
    level: LEVELS[server.status],
    message: { text: server.reason },
    locations: [{
      physicalLocation: { artifactLocation: { uri: locationUri(server.origin) } },
      logicalLocations: [{ name: server.name, fullyQualifiedName: server.version ? `${server.name}@${server.version}` : server.name, kind: 'module' }],
    }],
    partialFingerprints: { 'toolsealServer/v1': sha256Hex(new TextEncoder().encode(`${server.name}\n${server.rule.id}`)) },
    properties: {
      status: server.status,
      ...(server.version ? { version: server.version } : {}),
      ...(server.code ? { code: server.code } : {}),
      ...(server.manifestDigest ? { manifestDigest: server.manifestDigest } : {}),
      ...(server.bundle ? { bundle: server.bundle.source } : {}),
    },
  };
}

/** URLs stay as they are; relative paths stay relative (code scanning resolves them); absolute paths become file: URIs. */
function locationUri(origin: string): string {
  if (/^https?:\/\//.test(origin)) return origin;
  const [path, fragment] = origin.split('#');
  const uri = isAbsolute(path!) ? pathToFileURL(path!).href : path!.split(/[\\/]/).map(encodeURIComponent).join('/');
  return fragment ? `${uri}#${fragment}` : uri;
}
