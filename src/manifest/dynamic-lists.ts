import { InputError } from '../errors.js';
import { DYNAMIC_LISTS, type DynamicList } from './schema.js';

/**
 * Reads the lists a user declares dynamic (`--dynamic`, the Action's `dynamic` input): only
 * `resources` and `resourceTemplates`, each once. Tools and prompts are instructions to the
 * model and are always signed, so naming them is refused rather than ignored.
 *
 * @param source - how the user gave the values, for the message (`--dynamic`, `the input "dynamic"`)
 * @throws InputError `DYNAMIC_LIST_INVALID`
 */
export function parseDynamicLists(values: readonly string[], source: string): DynamicList[] {
  for (const value of values) {
    if (!(DYNAMIC_LISTS as readonly string[]).includes(value)) {
      throw new InputError('DYNAMIC_LIST_INVALID', `${source} takes ${DYNAMIC_LISTS.join(' or ')}, not "${value}"; tools and prompts are instructions to the model and are always signed.`);
    }
  }
  return [...new Set(values)] as DynamicList[];
}
