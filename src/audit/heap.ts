import { setFlagsFromString } from 'node:v8';

/** How far V8 may grow the old generation past what survived the last full collection, in percent. */
export const AUDIT_HEAP_GROWING_PERCENT = 100;

/**
 * Keeps a long audit's peak memory flat in the number of servers. The audit keeps little
 * (about 40 MiB live, flat from 1,000 to 10,000 servers), but by default V8 lets the old
 * generation grow to about four times what survived the last full collection before it
 * collects again, so a run long enough to reach that limit peaked at 1.7× the memory of a short
 * one (bench/README.md, "Registry audit"). A growing factor of 2 bounds the peak at about twice
 * the live heap, for a few more full collections (measured: no change in time per server).
 *
 * This is a process-wide V8 setting, read by V8 each time it sizes the heap after a
 * collection, so only the CLI calls it (it owns its process); a library caller decides for its
 * own process. A `--heap-growing-percent` the user gave node wins (node refuses it in
 * `NODE_OPTIONS`, so the command line is the only place it can come from).
 */
export function limitHeapGrowthForAudit(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return;
  setFlagsFromString(`--heap-growing-percent=${AUDIT_HEAP_GROWING_PERCENT}`);
}
