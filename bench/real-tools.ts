/**
 * Real-shaped MCP tools for the benchmarks: nested `inputSchema` properties with
 * descriptions, enums and formats, `outputSchema`, annotations and `_meta`, so that
 * canonicalization, validation and compare see what real servers declare.
 */
import { buildManifest, type Manifest } from '../src/internal.js';

/** A tool shaped like real ones: nested properties with descriptions, enums, annotations, outputSchema. */
export function realTool(i: number): Record<string, unknown> {
  const id = String(i).padStart(4, '0');
  return {
    name: `tool_${id}`,
    title: `Tool ${id}`,
    description: `Does task ${id}: reads the input, validates it against the schema and returns a structured result. Use it when the user asks for ${id}.`,
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'What to look for; free text, up to 200 characters.', maxLength: 200 },
        limit: { type: 'integer', description: 'Maximum number of results', minimum: 1, maximum: 100, default: 10 },
        mode: { type: 'string', enum: ['fast', 'thorough', 'exhaustive'], description: 'Search depth' },
        filters: {
          type: 'object',
          description: 'Optional filters',
          properties: {
            since: { type: 'string', format: 'date-time', description: 'Only items after this time' },
            tags: { type: 'array', items: { type: 'string' }, description: 'Tags that must all match' },
          },
          additionalProperties: false,
        },
      },
      required: ['query'],
      additionalProperties: false,
      $schema: 'http://json-schema.org/draft-07/schema#',
    },
    outputSchema: { type: 'object', properties: { items: { type: 'array', items: { type: 'object' } }, total: { type: 'integer' } }, required: ['items'] },
    annotations: { title: `Tool ${id}`, readOnlyHint: i % 2 === 0, destructiveHint: false, idempotentHint: true, openWorldHint: i % 3 === 0 },
    _meta: { 'acme.dev/category': `group-${i % 7}` },
  };
}

/** A manifest of `n` real-shaped tools (server `bench` 1.0.0, bare profile). */
export function manifestOf(n: number): Manifest {
  const tools = Array.from({ length: n }, (_, i) => realTool(i));
  return buildManifest({ server: { name: 'bench', version: '1.0.0' }, capture: { protocolVersion: '2025-06-18', clientProfile: 'bare', clientCapabilities: {} }, tools });
}
