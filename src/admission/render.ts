import { renderDiff, safe, showValue } from '../compare/render.js';
import { escapeTerminal, untrusted } from '../io/terminal.js';
import type { HiddenUnicodeFinding } from '../compare/schema.js';
import type { Manifest } from '../manifest/schema.js';
import type { CrossFinding } from './cross.js';
import type { PublisherSignature } from './publisher.js';
import type { ScanReport, ServerScan, ScanStatus } from './scan.js';

const STATUS_TEXT: Record<ScanStatus, string> = {
  approved: 'approved, unchanged',
  changed: 'CHANGED since approval',
  'not-approved': 'NOT APPROVED',
  'publisher-signed': 'NOT APPROVED, but signed by its publisher (verified)',
  'approval-invalid': 'APPROVAL DOES NOT VERIFY',
  'capture-failed': 'COULD NOT BE CAPTURED',
  disabled: 'disabled in the client (not started)',
};

/**
 * The scan for people: one block per server (status, where it was found, how it is launched with
 * variable names only, what changed), then the cross-server findings. Everything a server sent is
 * escaped for the terminal (see `safe`); no environment or header value is ever shown.
 */
export function renderScanReport(report: ScanReport): string {
  const lines: string[] = [];
  for (const s of report.servers) lines.push(...serverLines(s), '');
  if (report.findings.length > 0) {
    lines.push('Across servers:');
    for (const f of report.findings) lines.push(`  ! ${describeFinding(f)}`);
    lines.push('');
  }
  const counts = new Map<ScanStatus, number>();
  for (const s of report.servers) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const summary = [...counts].map(([status, n]) => `${n} ${STATUS_TEXT[status].split(',')[0]!.toLowerCase()}`).join(', ');
  lines.push(`${report.servers.length} server(s): ${summary || 'none found'}${report.findings.length ? `; ${report.findings.length} cross-server finding(s)` : ''}.`);
  if (report.servers.some((s) => ['not-approved', 'publisher-signed', 'changed', 'approval-invalid'].includes(s.status))) {
    lines.push('Review the servers above, then approve them with "toolseal approve NAME..." (or --all).');
  }
  return `${lines.join('\n')}\n`;
}

function serverLines(s: ServerScan): string[] {
  const launch = s.launch.transport === 'stdio'
    ? `${[s.launch.command, ...s.launch.args].join(' ')}${s.launch.envNames.length ? `  (env: ${s.launch.envNames.join(', ')})` : ''}`
    : `${s.launch.url}${s.launch.headerNames.length ? `  (headers: ${s.launch.headerNames.join(', ')})` : ''}`;
  const lines = [`${safe(s.name)}: ${STATUS_TEXT[s.status]}`, `  found in  ${s.file} (${s.client})`, `  launch    ${safe(launch)}`];
  if (s.wrapped) lines.push(`  wrapped   runs behind toolseal proxy --lock ${s.wrapped.lockPath}`);
  if (s.manifest) lines.push(`  serves    ${manifestLine(s.manifest)}`);
  if (s.approval) lines.push(`  approved  by ${safe(s.approval.by)} at ${s.approval.at} (${s.approval.digest.slice(0, 19)}…)`);
  if (s.publisher) lines.push(publisherLine(s.publisher));
  if (s.error) lines.push(`  why       [${s.error.code}] ${escapeTerminal(s.error.message)}`);
  if (s.launchChanged) lines.push('  the configuration launches it differently from the approval');
  if (s.diff) lines.push(...renderDiff(s.diff).trimEnd().split('\n').map((l) => `  ${l}`));
  else for (const f of s.hiddenUnicode) lines.push(`  ${hiddenLine(f)}`);
  return lines;
}

/** Who signed, where the bundle came from (the server itself or its registry entry), and whether it verified. */
function publisherLine(p: PublisherSignature): string {
  const from = p.registry ? ` (bundle from the registry entry ${safe(p.registry.entry)})` : '';
  const claim = p.verified ? 'signed by' : p.registry ? 'the registry entry points to a bundle claiming' : 'offers a bundle claiming';
  const outcome = p.reason ? `, which does not verify: ${safe(p.reason)}` : ' (signature verified; whether to trust them is yours to decide)';
  return `  publisher ${claim} ${safe(p.signedBy)}${p.verified ? from : ''}${outcome}`;
}

function manifestLine(m: Manifest): string {
  const parts = [`${m.tools.length} tool(s)`, m.prompts.length ? `${m.prompts.length} prompt(s)` : '', m.resources.length ? `${m.resources.length} resource(s)` : ''].filter(Boolean);
  return `${safe(m.server.name)} ${safe(m.server.version)}: ${parts.join(', ')}`;
}

/**
 * The one-line error for a server that could not be captured, for stderr. The message may
 * carry what the server wrote to its stderr, so it is escaped for the terminal.
 */
export function captureFailureLine(s: ServerScan, consequence = ''): string {
  return `toolseal: error [${s.error?.code ?? 'CAPTURE_FAILED'}]: the MCP server "${untrusted(s.name)}" in ${s.file} could not be captured${consequence}: ${escapeTerminal(s.error?.message ?? 'unknown reason')}\n`;
}

/** One cross-server finding in words. */
export function describeFinding(f: CrossFinding): string {
  if (f.kind === 'tool-name-collision') return `${f.client}: the tool name "${safe(f.tool)}" is offered by ${f.servers.map((s) => `"${safe(s)}"`).join(' and ')} (shadowing)`;
  return `${f.client}: "${safe(f.server)}" ${safe(f.where)} names the tool "${safe(f.mentions)}" of "${safe(f.otherServer)}"`;
}

function hiddenLine(f: HiddenUnicodeFinding): string {
  return `! hidden Unicode (${f.category}) at ${safe(f.path)}${f.decoded !== undefined ? `  decoded: ${showValue(f.decoded, 200)}` : ''}`;
}

/**
 * What a reviewer sees before approving one server: for a new one the whole summary (server,
 * instructions, every tool with its description and parameters, prompts, resources), for a changed
 * one the diff against the approval; then hidden Unicode and the cross-server notes about it.
 */
export function renderReview(scan: ServerScan, findings: CrossFinding[]): string {
  const lines = [`${safe(scan.name)} (${scan.file}, ${scan.client}): ${STATUS_TEXT[scan.status]}`];
  if (scan.diff) lines.push(...renderDiff(scan.diff).trimEnd().split('\n').map((l) => `  ${l}`));
  else if (scan.manifest) lines.push(...summaryLines(scan.manifest));
  if (scan.launchChanged) lines.push('  the configuration launches it differently from the approval');
  if (!scan.diff) for (const f of scan.hiddenUnicode) lines.push(`  ${hiddenLine(f)}`);
  for (const f of findings) {
    if ((f.kind === 'tool-name-collision' && f.servers.includes(scan.name)) || (f.kind === 'names-other-server-tool' && (f.server === scan.name || f.otherServer === scan.name))) {
      lines.push(`  ! ${describeFinding(f)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function summaryLines(m: Manifest): string[] {
  const lines = [`  server ${manifestLine(m)}`];
  if (m.instructions) lines.push(`  instructions ${showValue(m.instructions, 400)}`);
  for (const t of m.tools) {
    const params = Object.keys(((t.inputSchema as { properties?: Record<string, unknown> } | undefined)?.properties) ?? {});
    lines.push(`  tool ${safe(t.name)}(${params.map(safe).join(', ')})`);
    if (typeof t.description === 'string') lines.push(`    ${showValue(t.description, 400)}`);
  }
  for (const p of m.prompts) lines.push(`  prompt ${safe(String(p.name))}`);
  for (const r of m.resources) lines.push(`  resource ${safe(String(r.uri))}`);
  return lines;
}
