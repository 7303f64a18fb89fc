import { buildManifest, type Manifest, type ManifestParts } from '../../src/internal.js';

/** A small, real-shaped manifest for unit tests; `overrides` replace top-level parts. */
export function sampleManifest(overrides: Partial<ManifestParts> = {}): Manifest {
  return buildManifest({
    server: { name: 'acme-weather', version: '1.4.0' },
    capture: { protocolVersion: '2025-06-18', clientProfile: 'bare', clientCapabilities: {} },
    tools: [
      {
        name: 'get_weather',
        description: 'Current weather for a city.',
        inputSchema: { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'] },
        annotations: { readOnlyHint: true },
      },
      {
        name: 'set_alert',
        title: 'Set an alert',
        description: 'Alert when the temperature crosses a threshold.',
        inputSchema: { type: 'object', properties: { city: { type: 'string' }, celsius: { type: 'number', minimum: -80, maximum: 60 } } },
      },
    ],
    prompts: [{ name: 'forecast', description: 'Summarise the week', arguments: [{ name: 'city', description: 'City', required: true }] }],
    resources: [{ uri: 'weather://stations', name: 'stations', mimeType: 'application/json' }],
    ...overrides,
  });
}
