import { join } from 'node:path';
import { expect } from 'vitest';
import { captureServer, resolveLaunch, type CaptureOptions, type Manifest, type ServerTarget } from '../../src/index.js';

/** Root of the repository. */
export const ROOT = join(import.meta.dirname, '..', '..');
/** The hostile fixture servers. */
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'servers');
/** Bins of the real reference servers. */
export const EVERYTHING_BIN = join(ROOT, 'node_modules', '.bin', 'mcp-server-everything');
export const FILESYSTEM_BIN = join(ROOT, 'node_modules', '.bin', 'mcp-server-filesystem');

/** A stdio target that runs one fixture script with the current node, `env` set over the launch rule's default. */
export function fixtureTarget(script: string, env: Record<string, string> = {}): ServerTarget {
  return { kind: 'stdio', command: process.execPath, args: [join(FIXTURES, script)], ...resolveLaunch({ env }) };
}

/** True while a process exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The outcome of one capture plus every pid it spawned. */
export interface Outcome {
  manifest?: Manifest;
  error?: Error & { code?: string };
  pids: number[];
}

/** Captures and records spawned pids; never throws. */
export async function capture(target: ServerTarget, options: CaptureOptions = {}): Promise<Outcome> {
  const pids: number[] = [];
  try {
    const manifest = await captureServer(target, { ...options, onSpawn: (pid) => pids.push(pid) });
    return { manifest, pids };
  } catch (err) {
    return { error: err as Error & { code?: string }, pids };
  }
}

/** Asserts that the capture spawned exactly one process and that it is gone now. */
export function expectNoOrphans(outcome: Outcome): void {
  expect(outcome.pids).toHaveLength(1);
  for (const pid of outcome.pids) expect(alive(pid), `server process ${pid} is still running`).toBe(false);
}

/** Asserts a capture failed with `code`, and returns the error. */
export function expectCode(outcome: Outcome, code: string): Error & { code?: string } {
  expect(outcome.manifest, 'the capture should have failed').toBeUndefined();
  expect(outcome.error?.code, outcome.error?.message).toBe(code);
  return outcome.error!;
}

/** Names of the tools of a manifest, in order. */
export function toolNames(manifest: Manifest | undefined): string[] {
  return (manifest?.tools ?? []).map((t) => t.name);
}
