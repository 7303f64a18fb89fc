import { pathToFileURL } from 'node:url';
import { sha256Hex } from '../manifest/canonical.js';
import { TOOLSEAL_VERSION } from '../version.js';
import { describeFinding } from './render.js';
import type { ScanReport, ScanStatus } from './scan.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** One SARIF rule per scan outcome and per cross-server finding. */
const RULES = [
  { id: 'TS-A001', status: 'approved', level: 'none', text: 'The server is approved in the lock and serves the approved manifest.' },
  { id: 'TS-A002', status: 'changed', level: 'error', text: 'The server changed since it was approved (what it declares, or how it is launched).' },
  { id: 'TS-A003', status: 'not-approved', level: 'warning', text: 'The server is not approved in the lock.' },
  { id: 'TS-A007', status: 'publisher-signed', level: 'warning', text: 'The server is not approved in the lock; it offers a publisher signature that verifies.' },
  { id: 'TS-A004', status: 'approval-invalid', level: 'error', text: 'The lock\'s approval of the server does not verify.' },
  { id: 'TS-A005', status: 'capture-failed', level: 'warning', text: 'The server could not be launched or captured.' },
  { id: 'TS-A006', status: 'disabled', level: 'none', text: 'The server is disabled in the client.' },
  { id: 'TS-A101', status: 'tool-name-collision', level: 'error', text: 'Two servers one client runs offer a tool of the same name (shadowing).' },
  { id: 'TS-A102', status: 'names-other-server-tool', level: 'warning', text: 'A server\'s description or instructions name another server\'s tool.' },
] as const;

/** The scan as SARIF 2.1.0: one result per configured server (approved ones as `pass`) and per cross-server finding. */
export function scanToSarif(report: ScanReport): object {
  const rule = (status: string): number => RULES.findIndex((r) => r.status === status);
  const results = [
    ...report.servers.map((s) => ({
      ruleId: RULES[rule(s.status)]!.id, ruleIndex: rule(s.status),
      kind: s.status === 'approved' || s.status === 'disabled' ? 'pass' : 'fail', level: RULES[rule(s.status)]!.level,
      message: { text: `${s.name}: ${s.error?.message ?? RULES[rule(s.status)]!.text}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: pathToFileURL(s.file).href } }, logicalLocations: [{ name: s.name, kind: 'module' }] }],
      partialFingerprints: { 'toolsealServer/v1': fingerprint(`${s.file}\n${s.name}\n${s.status}`) },
      properties: { status: s.status, client: s.client, ...(s.error ? { code: s.error.code } : {}) },
    })),
    ...report.findings.map((f) => ({
      ruleId: RULES[rule(f.kind)]!.id, ruleIndex: rule(f.kind), kind: 'fail', level: RULES[rule(f.kind)]!.level,
      message: { text: describeFinding(f) },
      partialFingerprints: { 'toolsealServer/v1': fingerprint(JSON.stringify(f)) },
    })),
  ];
  return {
    $schema: SARIF_SCHEMA, version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'toolseal', version: TOOLSEAL_VERSION, rules: RULES.map((r) => ({ id: r.id, name: r.status, shortDescription: { text: r.text }, defaultConfiguration: { level: r.level } })) } },
      results,
    }],
  };
}

function fingerprint(text: string): string {
  return sha256Hex(new TextEncoder().encode(text));
}

export type { ScanStatus };
