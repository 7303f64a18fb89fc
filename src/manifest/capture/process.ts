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

/**
 * Makes sure a spawned server is gone. The SDK's stdio transport closes stdin, then
 * sends SIGTERM, then SIGKILL, but a failed `connect` starts that without waiting for
 * it; so wait up to `graceMs` for the process to leave on its own, then SIGKILL it
 * and wait until the kernel has reaped it.
 *
 * @returns true when the process is gone
 */
export async function ensureExited(pid: number, graceMs = 2500): Promise<boolean> {
  if (await waitGone(pid, graceMs)) return true;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone between the check and the kill.
  }
  return waitGone(pid, 2000);
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (processAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}
