import { renderDiff } from '../compare/render.js';
import { describeSigner } from './identity/describe.js';
import type { Verdict } from './verdict.js';

/**
 * Renders a verdict as plain text: the decision, then what was established (server,
 * digest, signer, log), then every problem and the diff. No colours, and every value
 * from the server goes through the diff renderer's escaping.
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
  if (verdict.excluded?.length) lines.push(`  unsigned   ${verdict.excluded.join(', ')} (left out by the signer; not checked)`);
  for (const p of verdict.problems) lines.push(`  [${p.code}] ${p.message}`);
  if (verdict.diff && !verdict.diff.equal) lines.push('', renderDiff(verdict.diff).trimEnd());
  return `${lines.join('\n')}\n`;
}

function comparedText(verdict: Verdict): string {
  if (verdict.compared === 'live-server') return ' and the live server matches the signed manifest';
  if (verdict.compared === 'manifest-file') return ' and the manifest file matches the signed manifest';
  return ' (bundle only: no server or manifest was compared)';
}
