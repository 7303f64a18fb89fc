import { manifestDigest } from '../manifest/digest.js';
import { TOOLSEAL_VERSION } from '../version.js';
import type { ConfigFile } from './model.js';
import type { ScanReport } from './scan.js';

/** The media type of `toolseal scan --json`. */
export const SCAN_REPORT_MEDIA_TYPE = 'application/vnd.toolseal.scan-report+json;version=1';

/**
 * The scan as a JSON document: the files read, and per server its status, where it was found, how
 * it is launched (variable and header names only), the live manifest's digest and tool names, the
 * diff against the approval, hidden Unicode, and why it failed; then the cross-server findings.
 */
export function scanReportJson(report: ScanReport, files: ConfigFile[]): object {
  return {
    mediaType: SCAN_REPORT_MEDIA_TYPE,
    toolVersion: TOOLSEAL_VERSION,
    files: files.map((f) => ({ client: f.client, path: f.path, scope: f.scope })),
    servers: report.servers.map((s) => ({
      name: s.name, client: s.client, file: s.file, at: s.at, status: s.status, launch: s.launch, ...(s.wrapped ? { wrapped: s.wrapped } : {}),
      ...(s.manifest ? { server: s.manifest.server, manifestDigest: manifestDigest(s.manifest), tools: s.manifest.tools.map((t) => t.name) } : {}),
      ...(s.approval ? { approval: s.approval } : {}),
      ...(s.publisher ? { publisher: s.publisher } : {}),
      ...(s.diff ? { diff: s.diff } : {}),
      ...(s.launchChanged ? { launchChanged: s.launchChanged } : {}),
      hiddenUnicode: s.hiddenUnicode,
      ...(s.error ? { error: s.error } : {}),
    })),
    findings: report.findings,
    exitCode: report.exitCode,
  };
}
