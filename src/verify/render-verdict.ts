import { renderDiff } from '../compare/render.js';
import { describeSigner } from './identity/describe.js';
import { escapeTerminal, untrusted } from '../io/terminal.js';
import type { Verdict } from './verdict.js';

/**
 * Renders a verdict as plain text: the decision, then what was established (server,
 * digest, signer, log), then every problem and the diff. No colours, and every value
 * from a server, a bundle or a certificate is escaped (`escapeTerminal`).
 */
export function renderVerdict(verdict: Verdict): string {
  const lines: string[] = [];
  const server = verdict.server ? `${verdict.server.name} ${verdict.server.version}` : 'the bundle';
  lines.push(verdict.ok ? `OK: ${server} is verified${comparedText(verdict)}.` : `FAILED: ${server} did not verify.`);
  if (verdict.manifestDigest) lines.push(`  manifest   ${verdict.manifestDigest}`);
  if (verdict.signer) lines.push(`  signed by  ${describeSigner(verdict.signer)}`);
  if (verdict.log?.index !== undefined || verdict.log?.integratedTime) {
    lines.push(`  logged     ${[verdict.log.index !== undefined ? `index ${verdict.log.index}` : '', verdict.log.integratedTime ?? ''].filter(Boolean).join(' at ')}`);
  }
  if (verdict.excluded?.length) lines.push(`  unsigned   ${verdict.excluded.map((p) => untrusted(p)).join(', ')} (left out by the signer; not checked)`);
  for (const u of verdict.unchecked ?? []) lines.push(`  unchecked  ${untrusted(u.path)}: ${u.reason}`);
  if (verdict.dynamic?.length) lines.push(`  not signed ${verdict.dynamic.join(', ')} (dynamic: the user's data; scanned for hidden Unicode only, not compared)`);
  for (const p of verdict.problems) lines.push(`  [${p.code}] ${p.message}`);
  // Every line is escaped whole: server and signer names, problems and paths all come from a
  // server, a bundle or a certificate, and none may move the cursor or fake a line of its own.
  const header = lines.map((line) => escapeTerminal(line));
  if (verdict.diff && !verdict.diff.equal) header.push('', renderDiff(verdict.diff).trimEnd());
  return `${header.join('\n')}\n`;
}

function comparedText(verdict: Verdict): string {
  if (verdict.compared === 'live-server') return ' and the live server matches the signed manifest';
  if (verdict.compared === 'manifest-file') return ' and the manifest file matches the signed manifest';
  return ' (bundle only: no server or manifest was compared)';
}
