// node:fs plus a globSync stand-in for Node 20 (see register.mjs).
import fs from 'node:fs';

export * from 'node:fs';
export default fs;
export function globSync() {
  throw new Error('globSync needs Node 22 or later (conformance tier-check); toolseal\'s tests do not use it.');
}
