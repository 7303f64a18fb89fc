import { z } from 'zod';
import { AuditPolicySchema, ClientProfileSchema, LockFileSchema, ManifestSchema, PolicySchema, VerdictSchema } from '../src/internal.js';

/**
 * The JSON Schemas derived from the zod schemas (the single source of truth), keyed by
 * the file name they are checked in under in `schemas/`. Add a format here and run
 * `npm run schemas`; test/unit/schemas.test.ts fails while a checked-in file is stale.
 */
export function renderSchemas(): Record<string, string> {
  const formats: Record<string, { schema: z.ZodType; id: string; title: string }> = {
    'manifest.schema.json': { schema: ManifestSchema, id: 'https://toolseal.dev/schemas/manifest-v1.json', title: 'toolseal manifest v1' },
    'policy.schema.json': { schema: PolicySchema, id: 'https://toolseal.dev/schemas/policy-v1.json', title: 'toolseal policy v1' },
    'client-profile.schema.json': { schema: ClientProfileSchema, id: 'https://toolseal.dev/schemas/client-profile-v1.json', title: 'toolseal client profile v1' },
    'verdict.schema.json': { schema: VerdictSchema, id: 'https://toolseal.dev/schemas/verdict-v1.json', title: 'toolseal verdict v1' },
    'lock.schema.json': { schema: LockFileSchema, id: 'https://toolseal.dev/schemas/lock-v1.json', title: 'toolseal lock v1' },
    'audit-policy.schema.json': { schema: AuditPolicySchema, id: 'https://toolseal.dev/schemas/audit-policy-v1.json', title: 'toolseal audit policy v1' },
  };
  const out: Record<string, string> = {};
  for (const [file, { schema, id, title }] of Object.entries(formats)) {
    const json = { ...z.toJSONSchema(schema, { io: 'input' }), $id: id, title };
    out[file] = `${JSON.stringify(json, null, 2)}\n`;
  }
  return out;
}
