/**
 * The internal entry for toolseal's own faces (`cli/`, `action/`) and its tests: every
 * folder's index. It is not in package.json `exports`, so no consumer can import it; the
 * public API is `src/index.ts` alone. Faces import from here; the only exceptions are the
 * few small modules the CLI imports statically (so that starting it does not load the whole
 * library before a command is chosen).
 */
export { TOOLSEAL_VERSION } from './version.js';
export * from './errors.js';
export * from './io/index.js';
export * from './manifest/index.js';
export * from './manifest/capture/index.js';
export * from './launch/index.js';
export * from './protocol/index.js';
export * from './admission/index.js';
export * from './attest/index.js';
export * from './compare/index.js';
export * from './policy/index.js';
export * from './sign/index.js';
export * from './verify/index.js';
export * from './guard/index.js';
export * from './audit/index.js';
export * from './audit/report/index.js';
