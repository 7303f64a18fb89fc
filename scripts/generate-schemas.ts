import { join } from 'node:path';
import { writeFileAtomic } from '../src/internal.js';
import { renderSchemas } from './schemas.js';

/** Regenerates `schemas/*.json` from the zod schemas. Run with `npm run schemas`. */
const dir = join(import.meta.dirname, '..', '..', 'schemas');
for (const [file, text] of Object.entries(renderSchemas())) {
  await writeFileAtomic(join(dir, file), text);
  process.stdout.write(`wrote schemas/${file}\n`);
}
