import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSchemas } from '../../scripts/schemas.js';

describe('checked-in JSON Schemas', () => {
  const rendered = renderSchemas();
  for (const [file, text] of Object.entries(rendered)) {
    it(`schemas/${file} matches the zod source of truth (run "npm run schemas" if this fails)`, async () => {
      const onDisk = await readFile(join(import.meta.dirname, '..', '..', 'schemas', file), 'utf8');
      expect(onDisk).toBe(text);
    });
  }
});
