/** The HTTP proxy's parts: who may talk to it, its route per era, and strictly read request bodies. */
export { ProxyAccess, LOOPBACK } from './access.js';
export { LegacyRoute, type LegacyRouteOptions } from './legacy.js';
export { ModernRoute, type ModernRouteOptions } from './modern.js';
export { HttpRefusal, checkPostHeaders, readStrictBody, replyError } from './messages.js';
