import { escapePointer } from './strict-json.js';

/**
 * The JSON pointer of the first object member named `__proto__` in `value` (depth first), or
 * undefined. `JSON.parse` makes such a member an own property, but every copy by assignment
 * (zod's, a spread into a literal, `obj[key] = v`) turns it into the prototype instead, so it
 * silently disappears from what is signed and compared while a client in another language
 * still shows it. toolseal's rule, held by every reader (files, bundles, stdio, HTTP, the
 * guard): such a member makes the document or entry invalid; it is never signed or dropped.
 */
export function protoMemberPointer(value: unknown): string | undefined {
  const tokens: string[] = [];
  const visit = (node: unknown): boolean => {
    if (node === null || typeof node !== 'object') return false;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        tokens.push(String(i));
        if (visit(node[i])) return true;
        tokens.pop();
      }
      return false;
    }
    if (Object.hasOwn(node, '__proto__')) {
      tokens.push('__proto__');
      return true;
    }
    for (const [key, child] of Object.entries(node)) {
      tokens.push(key);
      if (visit(child)) return true;
      tokens.pop();
    }
    return false;
  };
  return visit(value) ? tokens.map((t) => `/${escapePointer(t)}`).join('') : undefined;
}
