import type { z } from 'zod';
import { escapePointer } from './strict-json.js';

/**
 * Turns zod issues into one readable line per problem, each located by JSON pointer,
 * e.g. `/tools/0/name: expected string, received number`. At most `limit` lines.
 */
export function formatZodIssues(error: z.ZodError, limit = 5): string {
  const lines = error.issues.slice(0, limit).map((issue) => {
    const pointer = issue.path.map((p) => `/${escapePointer(String(p))}`).join('') || '/';
    return `${pointer}: ${issue.message}`;
  });
  const more = error.issues.length - limit;
  return lines.join('; ') + (more > 0 ? `; and ${more} more` : '');
}
