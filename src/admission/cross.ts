import type { Manifest } from '../manifest/schema.js';
import type { ClientId } from './model.js';

/** A risk that only shows across servers one client runs together. */
export type CrossFinding =
  | { kind: 'tool-name-collision'; client: ClientId; tool: string; servers: string[] }
  | { kind: 'names-other-server-tool'; client: ClientId; server: string; where: string; mentions: string; otherServer: string };

/** One captured server, as the cross-server checks see it. */
export interface CapturedServer {
  name: string;
  client: ClientId;
  manifest: Manifest;
}

/** Tool names shorter than this are common words ("add", "get") and would drown the real findings. */
const MIN_MENTION_LENGTH = 4;

/**
 * Across the servers one client runs side by side (a client merges its user and project files):
 * tools of the same name in two servers (the model cannot tell which one it calls: shadowing), and
 * descriptions or instructions of one server that name another server's tool as a word (a poisoned
 * description steering the model to, or away from, someone else's tool).
 */
export function crossServerFindings(servers: CapturedServer[]): CrossFinding[] {
  const out: CrossFinding[] = [];
  const byClient = new Map<ClientId, CapturedServer[]>();
  for (const s of servers) byClient.set(s.client, [...(byClient.get(s.client) ?? []), s]);
  for (const [client, group] of byClient) {
    const unique = [...new Map(group.map((s) => [s.name, s])).values()];
    out.push(...collisions(client, unique), ...mentions(client, unique));
  }
  return out;
}

function collisions(client: ClientId, servers: CapturedServer[]): CrossFinding[] {
  const owners = new Map<string, string[]>();
  for (const s of servers) for (const tool of s.manifest.tools) owners.set(tool.name, [...(owners.get(tool.name) ?? []), s.name]);
  return [...owners].filter(([, names]) => names.length > 1).map(([tool, names]) => ({ kind: 'tool-name-collision', client, tool, servers: names }));
}

function mentions(client: ClientId, servers: CapturedServer[]): CrossFinding[] {
  const out: CrossFinding[] = [];
  for (const s of servers) {
    const others = servers.filter((o) => o.name !== s.name).flatMap((o) => o.manifest.tools.map((t) => ({ tool: t.name, server: o.name })));
    const own = new Set(s.manifest.tools.map((t) => t.name));
    const candidates = others.filter((o) => o.tool.length >= MIN_MENTION_LENGTH && !own.has(o.tool));
    if (candidates.length === 0) continue;
    for (const [where, text] of textsOf(s.manifest)) {
      for (const c of candidates) {
        if (mentionsWord(text, c.tool)) out.push({ kind: 'names-other-server-tool', client, server: s.name, where, mentions: c.tool, otherServer: c.server });
      }
    }
  }
  return out;
}

/** Model-visible prose of a manifest: instructions and each tool's description and title. */
function textsOf(manifest: Manifest): [string, string][] {
  const out: [string, string][] = [];
  if (manifest.instructions) out.push(['instructions', manifest.instructions]);
  for (const tool of manifest.tools) {
    const texts = [tool.description, tool.title].filter((t): t is string => typeof t === 'string');
    if (texts.length > 0) out.push([`tools/${tool.name}`, texts.join('\n')]);
  }
  return out;
}

function mentionsWord(text: string, word: string): boolean {
  let from = 0;
  for (;;) {
    const i = text.indexOf(word, from);
    if (i < 0) return false;
    const before = text[i - 1];
    const after = text[i + word.length];
    if (!isWordChar(before) && !isWordChar(after)) return true;
    from = i + 1;
  }
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_-]/.test(c);
}
