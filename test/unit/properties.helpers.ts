import fc from 'fast-check';
import type { ManifestParts } from '../../src/internal.js';

/** Names as servers use them (never containing "~", which the property tests use as a marker). */
const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
/** Any well-formed text, including astral characters and controls. */
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }));

type Schema = Record<string, unknown>;

const leafSchema: fc.Arbitrary<Schema> = fc.record({
  type: fc.constantFrom('string', 'number', 'integer', 'boolean'),
  description: text,
  title: text,
  enum: fc.uniqueArray(ident, { minLength: 1, maxLength: 3 }),
  minimum: fc.integer(),
  pattern: fc.constantFrom('^[a-z]+$', '.*'),
}, { requiredKeys: ['type'] });

/** Object schemas whose properties nest up to two levels, with descriptions at every level. */
const objectSchema = (inner: fc.Arbitrary<Schema>): fc.Arbitrary<Schema> => fc.dictionary(ident, inner, { minKeys: 1, maxKeys: 3 }).chain((properties) =>
  fc.record({
    type: fc.constant('object'),
    properties: fc.constant(properties),
    required: fc.subarray(Object.keys(properties)),
    description: text,
    additionalProperties: fc.boolean(),
  }, { requiredKeys: ['type', 'properties'] }));

const propertySchema = fc.oneof(leafSchema, objectSchema(leafSchema));

const annotations = fc.record({
  title: text, readOnlyHint: fc.boolean(), destructiveHint: fc.boolean(), idempotentHint: fc.boolean(), openWorldHint: fc.boolean(),
}, { requiredKeys: [] });

const tool = fc.record({
  name: ident,
  title: text,
  description: text,
  inputSchema: objectSchema(propertySchema),
  outputSchema: objectSchema(leafSchema),
  annotations,
  _meta: fc.dictionary(fc.constantFrom('acme.dev/trace', 'ui', 'x/y~z'), fc.jsonValue({ maxDepth: 2 }).filter(withoutProtoMember), { maxKeys: 2 }),
}, { requiredKeys: ['name', 'inputSchema'] });

const prompt = fc.record({
  name: ident,
  title: text,
  description: text,
  arguments: fc.array(fc.record({ name: ident, description: text, required: fc.boolean() }, { requiredKeys: ['name'] }), { maxLength: 3 }),
}, { requiredKeys: ['name'] });

const resource = fc.record({
  uri: ident.map((s) => `file:///srv/${s}`),
  name: ident,
  description: text,
  mimeType: fc.constantFrom('text/plain', 'application/json'),
}, { requiredKeys: ['uri', 'name'] });

const template = fc.record({
  uriTemplate: ident.map((s) => `weather://{${s}}`),
  name: ident,
  description: text,
}, { requiredKeys: ['uriTemplate', 'name'] });

/** Manifest parts shaped like real servers' lists, keys unique per list. */
export const manifestParts: fc.Arbitrary<ManifestParts> = fc.record({
  server: fc.record({ name: ident, version: fc.constantFrom('1.0.0', '2.3.1'), title: text }, { requiredKeys: ['name', 'version'] }),
  capture: fc.constant({ protocolVersion: '2025-06-18', clientProfile: 'bare', clientCapabilities: {} }),
  instructions: text,
  tools: fc.uniqueArray(tool, { selector: (t) => t.name, minLength: 1, maxLength: 4 }),
  prompts: fc.uniqueArray(prompt, { selector: (p) => p.name, maxLength: 2 }),
  resources: fc.uniqueArray(resource, { selector: (r) => r.uri, maxLength: 2 }),
  resourceTemplates: fc.uniqueArray(template, { selector: (t) => t.uriTemplate, maxLength: 2 }),
}, { requiredKeys: ['server', 'capture', 'tools', 'prompts', 'resources', 'resourceTemplates'] });

/** A valid manifest has no `__proto__` member anywhere (toolseal refuses such entries), so valid-manifest arbitraries leave it out. */
function withoutProtoMember(value: unknown): boolean {
  return !JSON.stringify(value).includes('"__proto__":');
}
