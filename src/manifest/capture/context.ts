import type { CaptureLimits } from './options.js';

/**
 * What an error message needs to know about a running capture: which server (already
 * free of secrets), which request was in flight, and what the server left behind.
 */
export interface CaptureContext {
  /** The server as named in messages (see `describeTarget`). */
  server: string;
  /** The request in flight, e.g. `tools/list` (page 2). */
  step: string;
  limits: CaptureLimits;
  /** The last lines the server wrote to stderr, when they were collected. */
  stderrTail?: () => string;
  /** The transport's error (e.g. a refused line or a message over the size limit; see `watchTransport`). */
  transportError?: () => Error | undefined;
}

/** A context for a capture over a client someone else connected. */
export function clientContext(server: string, limits: CaptureLimits): CaptureContext {
  return { server, step: 'initialize', limits };
}
