/** Capturing a live MCP server's lists into a manifest (stdio or Streamable HTTP). */
export { captureServer } from './server.js';
export { captureLike } from './like.js';
export { captureFromClient, type ClientCaptureOptions } from './from-client.js';
export { listAll } from './list.js';
export { readAllPages, type ListBudget, type PageRequest, type PageReadContext } from './pages.js';
export { clientContext, type CaptureContext } from './context.js';
export { watchTransport, type TransportWatch } from './watch.js';
export { answerProfileRequests } from './handlers.js';
export {
  CAPTURE_DEFAULTS, captureLimits, describeTarget, type CaptureLimits, type CaptureOptions, type ServerTarget,
} from './options.js';
export { serverTargetFrom, parseHeaderLines, type ServerSpec } from './target.js';
export { StrictStdioClientTransport, type StrictStdioOptions } from './strict-stdio.js';
export type { ExitGrace } from './process.js';
