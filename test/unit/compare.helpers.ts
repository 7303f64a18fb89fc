import { buildManifest, type Manifest, type ManifestParts } from '../../src/internal.js';

/** A real-shaped tool, as an MCP server sends it in tools/list. */
export function weatherTool(): Record<string, unknown> {
  return {
    name: 'get_weather',
    title: 'Weather',
    description: 'Current weather for a city.',
    inputSchema: {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'], description: 'Temperature unit' },
      },
      required: ['city'],
      additionalProperties: false,
    },
    outputSchema: { type: 'object', properties: { temperature: { type: 'number' } } },
    annotations: { readOnlyHint: true, openWorldHint: true },
  };
}

/** The parts of a small manifest: two tools, a prompt, a resource and a template. */
export function baseParts(): ManifestParts {
  return {
    server: { name: 'acme-weather', version: '1.4.0', title: 'Acme Weather' },
    capture: { protocolVersion: '2025-06-18', clientProfile: 'bare', clientCapabilities: {} },
    instructions: 'Use get_weather for forecasts.',
    tools: [
      weatherTool(),
      {
        name: 'delete_file',
        description: 'Delete a file in the sandbox.',
        inputSchema: { type: 'object', properties: { path: { type: 'string', description: 'Path to delete' } }, required: ['path'] },
        annotations: { destructiveHint: true, readOnlyHint: false },
      },
    ],
    prompts: [{ name: 'summarize', description: 'Summarize a text.', arguments: [{ name: 'text', description: 'The text', required: true }] }],
    resources: [{ uri: 'file:///etc/motd', name: 'motd', mimeType: 'text/plain' }],
    resourceTemplates: [{ uriTemplate: 'weather://{city}', name: 'city-weather', description: 'Weather by city' }],
  };
}

/** Builds a manifest from `baseParts()` after `edit` changed a deep copy of them. */
export function manifestWith(edit: (parts: ManifestParts) => void = () => {}): Manifest {
  const parts = structuredClone(baseParts());
  edit(parts);
  return buildManifest(parts);
}

/** The tool named `name` in parts, for editing. */
export function tool(parts: ManifestParts, name: string): Record<string, any> {
  const found = (parts.tools as Record<string, any>[]).find((t) => t.name === name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
}
