import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * True while a process with this pid exists (EPERM: it exists but is not ours to signal).
 * A zombie (exited, not yet reaped) counts as gone: in a container whose init does not
 * reap orphans, an ended grandchild stays a zombie forever, yet it runs nothing.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return procState(pid) !== 'Z';
}

/**
 * True while any process of the process group `pgid` exists and is not a zombie.
 * On Linux the group's members are read from /proc when the kernel still reports the
 * group (zombies keep it alive for `kill`); elsewhere the kernel's answer is taken.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  // While the leader runs the group is alive; only without it are the members read.
  if (processAlive(pgid)) return true;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.pgid === pgid && stat.state !== 'Z') return true;
  }
  return false;
}

/** How long a server gets to leave after stdin closes, and after SIGTERM. */
export interface ExitGrace {
  termAfterMs: number;
  killAfterMs: number;
}

/** The grace a capture gives: it has nothing the server needs to save. */
export const CAPTURE_GRACE: ExitGrace = Object.freeze({ termAfterMs: 500, killAfterMs: 1000 });

/**
 * Makes sure a spawned server is gone, escalating on our own clock: after stdin is closed
 * the server gets `termAfterMs` to leave on its own, then SIGTERM, then SIGKILL after
 * `killAfterMs` more (a server may ignore SIGTERM), and then we wait until it is gone.
 * With `group`, `pid` is a process-group leader and the whole group is waited for and
 * signalled, so a server started through a wrapper (`npx`, a shell) leaves no grandchildren.
 *
 * @returns true when the process (or every process of the group) is gone
 */
export async function ensureExited(pid: number, grace: ExitGrace = CAPTURE_GRACE, options: { group?: boolean } = {}): Promise<boolean> {
  const group = options.group === true;
  const alive = group ? () => groupAlive(pid) : () => processAlive(pid);
  const target = group ? -pid : pid;
  if (await waitGone(alive, grace.termAfterMs)) return true;
  signal(target, 'SIGTERM');
  if (await waitGone(alive, grace.killAfterMs)) return true;
  signal(target, 'SIGKILL');
  return waitGone(alive, 2000);
}

/** Sends a signal to a pid (or, negative, a process group), ignoring that it is already gone. */
export function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch {
    // Gone between the check and the signal.
  }
}

async function waitGone(alive: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive()) {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}

/** `state` and `pgid` from /proc/<pid>/stat (Linux), or undefined. */
function readStat(pid: number): { state: string; pgid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', pgid: Number(fields[2]) };
}

function procState(pid: number): string | undefined {
  return process.platform === 'linux' ? readStat(pid)?.state : undefined;
}

/**
 * The watchdog's script: it waits on its stdin, a pipe from toolseal. `done` means toolseal
 * ended the group itself; end of input without it means toolseal died (SIGKILL, a crash),
 * so the watchdog ends the group: SIGTERM, then SIGKILL a second later. `kill -SIG -PGID`
 * is the form both dash and bash take (dash refuses `--` and `-s SIG -PGID`).
 */
const WATCHDOG = 'read line; [ "$line" = done ] && exit 0; kill -TERM -"$1" 2>/dev/null; sleep 1; kill -KILL -"$1" 2>/dev/null; exit 0';

/** A watchdog for one process group; `release()` once the group is gone. */
export interface GroupWatchdog {
  release(): void;
}

/**
 * Starts a watchdog (`/bin/sh`, in its own process group) that ends the process group
 * `pgid` if this process dies without ending it. A server runs in its own group so that
 * toolseal can end it with its grandchildren, but then nothing else ends it: when a client
 * SIGKILLs toolseal, a server that ignores stdin EOF and SIGTERM would live on as an
 * orphan. Nothing but a process outliving toolseal can act then; the watchdog costs one
 * small shell per server. POSIX only; if no shell can start, there is no watchdog.
 */
export function startGroupWatchdog(pgid: number): GroupWatchdog {
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'toolseal-watchdog', String(pgid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  child.unref();
  // The pipe must not keep toolseal's event loop alive.
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      child.stdin?.end('done\n');
    },
  };
}
