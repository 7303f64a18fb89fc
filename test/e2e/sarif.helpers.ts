import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';

/** A validator for the OASIS SARIF 2.1.0 JSON schema committed in test/fixtures/sarif (see its README). */
export async function sarifValidator(): Promise<ReturnType<InstanceType<typeof AjvDraft04.default>['compile']>> {
  const schema = JSON.parse(await readFile(join(import.meta.dirname, '..', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8'));
  // Both packages are CommonJS with a `default` export; NodeNext sees the module object.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  addFormatsModule.default(ajv);
  return ajv.compile(schema);
}
