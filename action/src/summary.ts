import {
  describeSigner, entryDigests, escapeHtml, htmlCode, renderDiffMarkdown, type ManifestDiff, type Manifest, type Verdict,
} from '../../src/internal.js';

type Signer = NonNullable<Verdict['signer']>;

/** The job summary of `mode: sign`. Every server-provided string goes through `htmlCode`. */
export function signSummary(facts: {
  manifest: Manifest; digest: string; signer?: Signer; signerText: string; logIndex?: string; bundlePath: string; source: string;
  attestationURL?: string;
}): string {
  const { manifest } = facts;
  return [
    `## toolseal: signed ${htmlCode(`${manifest.server.name} ${manifest.server.version}`)}`,
    '',
    factsTable([
      ['server', serverCell(manifest)],
      ['captured from', htmlCode(facts.source)],
      ['manifest digest', htmlCode(facts.digest)],
      ['signed by', htmlCode(facts.signerText)],
      ...signerRows(facts.signer),
      ...(facts.logIndex !== undefined ? [['transparency log', `index ${htmlCode(facts.logIndex)}`] as Row] : []),
      ['bundle', htmlCode(facts.bundlePath)],
      ...(facts.attestationURL !== undefined ? [['attestation store', htmlCode(facts.attestationURL)] as Row] : []),
    ]),
    '',
    entriesTable(manifest),
  ].join('\n');
}

/** The job summary of `mode: verify`: the verdict, who signed, the signed entries and the diff. */
export function verifySummary(verdict: Verdict, signed: Manifest | undefined, source: string): string {
  const server = verdict.server ? htmlCode(`${verdict.server.name} ${verdict.server.version}`) : 'the bundle';
  const out = [
    verdict.ok ? `## toolseal: verified ${server}` : `## toolseal: verification FAILED for ${server}`,
    '',
    factsTable([
      ['result', verdict.ok ? 'verified' : '<b>not verified</b>'],
      ['compared with', htmlCode(source)],
      ...(verdict.manifestDigest ? [['manifest digest', htmlCode(verdict.manifestDigest)] as Row] : []),
      ...(verdict.signer ? [['signed by', htmlCode(describeSigner(verdict.signer))] as Row, ...signerRows(verdict.signer)] : []),
      ...(verdict.log?.index !== undefined ? [['transparency log', `index ${htmlCode(verdict.log.index)}`] as Row] : []),
      ...(verdict.log?.integratedTime ? [['signed at', htmlCode(verdict.log.integratedTime)] as Row] : []),
    ]),
    '',
  ];
  if (verdict.problems.length > 0) {
    out.push('### Problems', '', ...verdict.problems.map((p) => `- <code>${escapeHtml(p.code)}</code> ${escapeHtml(p.message)}`), '');
  }
  if (verdict.diff && !verdict.diff.equal) out.push('### Difference from the signed manifest', '', renderDiffMarkdown(verdict.diff));
  if (signed) out.push(entriesTable(signed));
  return out.join('\n');
}

/** The job summary of `mode: check`: the expected manifest's entries and the diff with the live server. */
export function checkSummary(expected: Manifest, diff: ManifestDiff, manifestPath: string, source: string): string {
  const server = htmlCode(`${expected.server.name} ${expected.server.version}`);
  return [
    diff.ok ? `## toolseal: ${server} matches its manifest` : `## toolseal: ${server} DRIFTED from its manifest`,
    '',
    factsTable([
      ['server', serverCell(expected)],
      ['live server', htmlCode(source)],
      ['expected manifest', htmlCode(manifestPath)],
      ['match', htmlCode(diff.match)],
    ]),
    '',
    '### Difference from the manifest',
    '',
    renderDiffMarkdown(diff),
    entriesTable(expected),
  ].join('\n');
}

type Row = [string, string];

function factsTable(rows: Row[]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th align="left">${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function serverCell(manifest: Manifest): string {
  const title = manifest.server.title ? ` (${htmlCode(manifest.server.title)})` : '';
  return `${htmlCode(manifest.server.name)} ${htmlCode(manifest.server.version)}${title}, client profile ${htmlCode(manifest.capture.clientProfile)}`;
}

/** GitHub claims worth a reviewer's glance: the repository, workflow and ref that signed. */
function signerRows(signer: Signer | undefined): Row[] {
  if (!signer || signer.kind !== 'keyless') return [];
  const claims: [string, string | undefined][] = [
    ['repository', signer.claims.sourceRepositoryUri], ['workflow', signer.claims.buildConfigUri],
    ['ref', signer.claims.sourceRepositoryRef], ['run', signer.claims.runInvocationUri],
  ];
  return claims.filter((c): c is [string, string] => c[1] !== undefined).map(([k, v]) => [k, htmlCode(v)]);
}

/** Every entry (tools first) with its entry digest, so a reviewer can pin or compare one tool. */
function entriesTable(manifest: Manifest): string {
  const entries = entryDigests(manifest);
  const tools = entries.filter((e) => e.list === 'tools').length;
  const head = `### Entries: ${tools} tool${tools === 1 ? '' : 's'}, ${entries.length - tools} other`;
  if (entries.length === 0) return `${head}\n\nThe manifest has no entries.\n`;
  const rows = entries.map((e) => `<tr><td>${e.list === 'tools' ? 'tool' : escapeHtml(e.list)}</td><td>${htmlCode(e.key)}</td><td>${htmlCode(e.digest)}</td></tr>`);
  return [head, '', `<table><tr><th>kind</th><th>name</th><th>entry digest</th></tr>`, ...rows, '</table>', ''].join('\n');
}
