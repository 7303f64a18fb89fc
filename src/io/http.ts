import { setTimeout as sleep } from 'node:timers/promises';

/** How hard to try one URL. */
export interface RetryOptions {
  /** Total attempts, first one included (default 4). */
  attempts?: number;
  /** Base of the exponential backoff, in ms (default 250): the n-th retry waits up to base·2ⁿ. */
  baseDelayMs?: number;
  /** Upper bound of one wait, in ms (default 5000); also caps a server's Retry-After. */
  maxDelayMs?: number;
  /** Per-request timeout, in ms (default 15000). */
  timeoutMs?: number;
  /** Largest body accepted, in bytes (default 8 MiB); a bigger body is an error, not truncated. */
  maxBytes?: number;
  /** Aborts waiting and requests (Ctrl-C). */
  signal?: AbortSignal;
  /** Called before each attempt (for counters). */
  onAttempt?: (url: string, attempt: number) => void;
  /** Called when an attempt failed and another follows after `delayMs` (for progress). */
  onRetry?: (url: string, failed: { attempt: number; attempts: number; message: string; delayMs: number }) => void;
}

/** The outcome of fetching one URL with retries. */
export type FetchOutcome =
  | { ok: true; bytes: Buffer; attempts: number }
  | { ok: false; kind: 'http'; status: number; message: string; attempts: number }
  | { ok: false; kind: 'too-large'; status: number; message: string; attempts: number }
  | { ok: false; kind: 'network'; status?: number; message: string; attempts: number };

/** Statuses worth retrying: the server may answer differently in a moment. */
function retryable(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/**
 * GETs a URL, retrying network errors, timeouts, 5xx, 408 and 429 with exponential
 * backoff and full jitter (so a thousand clients do not retry in lockstep); a 4xx is an
 * answer and is never retried, and neither is a body over `maxBytes` (`too-large`). Never throws for the network; only an abort rejects.
 */
export async function fetchWithRetry(url: string, options: RetryOptions = {}): Promise<FetchOutcome> {
  const attempts = Math.max(1, options.attempts ?? 4);
  let last: FetchOutcome = { ok: false, kind: 'network', message: 'not attempted', attempts: 0 };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    options.signal?.throwIfAborted();
    options.onAttempt?.(url, attempt);
    const { outcome, retryAfterMs } = await fetchOnce(url, attempt, options);
    last = outcome;
    if (outcome.ok || outcome.kind !== 'network' || attempt === attempts) return outcome;
    const delayMs = backoffMs(attempt, options, retryAfterMs);
    options.onRetry?.(url, { attempt, attempts, message: outcome.message, delayMs });
    await sleep(delayMs, undefined, { signal: options.signal });
  }
  return last;
}

/** Full-jitter backoff: uniform in [0, min(max, base·2^(attempt-1))], or the server's Retry-After. */
export function backoffMs(attempt: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, retryAfterMs?: number): number {
  const max = options.maxDelayMs ?? 5000;
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, max);
  const ceiling = Math.min(max, (options.baseDelayMs ?? 250) * 2 ** (attempt - 1));
  return Math.floor(Math.random() * ceiling);
}

/**
 * One request's abort signal: the timeout or the caller's signal, whichever comes first, torn
 * down (timer cleared, listener removed) as soon as the request is over. `AbortSignal.timeout`
 * and `AbortSignal.any` would keep each request's signal, and what the request hung on it, alive
 * until the timer fires or the caller's signal is collected: thousands of them in an audit.
 */
function requestSignal(timeoutMs: number, parent?: AbortSignal): { signal: AbortSignal; timedOut(): boolean; dispose(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  const onAbort = (): void => controller.abort(parent!.reason);
  if (parent?.aborted) onAbort();
  else parent?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}

async function fetchOnce(url: string, attempt: number, options: RetryOptions): Promise<{ outcome: FetchOutcome; retryAfterMs?: number | undefined }> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const request = requestSignal(timeoutMs, options.signal);
  try {
    const response = await fetch(url, { signal: request.signal, redirect: 'follow', headers: { Accept: 'application/json' } });
    if (response.ok) {
      const bytes = await readLimited(response, options.maxBytes ?? 8 * 1024 * 1024);
      // An oversized body is an answer, not a passing fault: not retried, and not an HTTP error.
      if (typeof bytes === 'string') return { outcome: { ok: false, kind: 'too-large', status: response.status, message: bytes, attempts: attempt } };
      return { outcome: { ok: true, bytes, attempts: attempt } };
    }
    await response.body?.cancel();
    const message = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    if (!retryable(response.status)) return { outcome: { ok: false, kind: 'http', status: response.status, message, attempts: attempt } };
    return { outcome: { ok: false, kind: 'network', status: response.status, message, attempts: attempt }, retryAfterMs: retryAfter(response) };
  } catch (err) {
    options.signal?.throwIfAborted();
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const message = request.timedOut() || e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { outcome: { ok: false, kind: 'network', message, attempts: attempt } };
  } finally {
    request.dispose();
  }
}

/** The body, or a sentence saying it is too large. */
async function readLimited(response: Response, maxBytes: number): Promise<Buffer | string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    return `the body is ${declared} bytes, over the ${maxBytes}-byte limit`;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.length;
    if (size > maxBytes) return `the body is over the ${maxBytes}-byte limit`;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function retryAfter(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
