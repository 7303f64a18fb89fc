/** The guard in the 2026-07-28 era: stateless requests, one verified view per client context. */
export { ModernGuard, type ModernGuardOptions, type ModernCall } from './guard.js';
export { modernUpstreamFor } from './connect.js';
export type { ModernUpstream } from './upstream.js';
