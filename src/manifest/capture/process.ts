import { setTimeout as sleep } from 'node:timers/promises';

/** True while a process with this pid exists (EPERM: it exists but is not ours to signal). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How long a server gets to leave after stdin closes, and after SIGTERM. */
export interface ExitGrace {
  termAfterMs: number;
  killAfterMs: number;
}

/**
 * Makes sure a spawned server is gone, escalating on our own clock: the SDK's stdio
 * transport waits 2 s after closing stdin and 2 s after SIGTERM, and a failed `connect`
 * starts its close without waiting for it. A capture has nothing the server needs to
 * save, so after stdin is closed the server gets `termAfterMs` to leave on its own, then
 * SIGTERM, then SIGKILL after `killAfterMs` more (a server may ignore SIGTERM), and then
 * we wait until the kernel has reaped it.
 *
 * @returns true when the process is gone
 */
export async function ensureExited(pid: number, grace: ExitGrace = { termAfterMs: 500, killAfterMs: 1000 }): Promise<boolean> {
  if (await waitGone(pid, grace.termAfterMs)) return true;
  signal(pid, 'SIGTERM');
  if (await waitGone(pid, grace.killAfterMs)) return true;
  signal(pid, 'SIGKILL');
  return waitGone(pid, 2000);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone between the check and the signal.
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (processAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}
