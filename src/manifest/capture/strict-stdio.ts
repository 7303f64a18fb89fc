import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough, type Stream } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { CaptureError } from '../../errors.js';
import { resolveLaunch } from '../../launch/resolve.js';
import { LineBuffer, LineWriter, readMessageLine } from './lines.js';
import { CAPTURE_DEFAULTS, describeTarget } from './options.js';
import { CAPTURE_GRACE, ensureExited, signal, startGroupWatchdog, type ExitGrace, type GroupWatchdog } from './process.js';

/** How {@link StrictStdioClientTransport} starts and reads a server. */
export interface StrictStdioOptions {
  command: string;
  args?: string[];
  /**
   * The complete environment of the server. Default: the launch rule's (`resolveLaunch()`:
   * this process's environment minus toolseal's and the runner's secrets).
   */
  env?: Record<string, string>;
  /** The server's working directory. Default: this process's. */
  cwd?: string;
  /** The server's stderr: `inherit` (default, as in the SDK), `pipe` (read it from `stderr`), or `ignore`. */
  stderr?: 'pipe' | 'inherit' | 'ignore';
  /** Names the server in messages; must not contain secrets. Default: the quoted command line. */
  server?: string;
  /** Longest line (one message) the server may send, in bytes. Default: 16 MiB + 1 MiB. */
  maxMessageBytes?: number;
  /** How long the server gets after stdin closes and after SIGTERM. Default 500 ms / 1 s. */
  grace?: ExitGrace;
}

/** Notes about skipped lines said per connection; a server that logs on stdout all day says it once more and then no more. */
const MAX_NOTES = 10;

/** Process groups exist on POSIX only; on Windows the direct child is all we can signal. */
const GROUPS = process.platform !== 'win32';

/**
 * A client `Transport` for a stdio MCP server that reads strictly and ends the whole
 * server. Unlike the SDK's `StdioClientTransport` (plain `JSON.parse`, lines it cannot
 * parse are reported and skipped): every line must be UTF-8, strict JSON (no duplicate
 * keys, lone surrogates, non-finite numbers; see `parseStrictJson`) and a JSON-RPC message,
 * else `onerror` gets a CaptureError (`SERVER_JSON_INVALID`, `SERVER_MESSAGE_INVALID`,
 * `SERVER_MESSAGE_TOO_LARGE`) and the transport closes, so pending requests fail at once
 * instead of timing out. The server runs in its own process group (POSIX), and `close()`
 * ends the group: stdin is closed, then after a grace SIGTERM, then SIGKILL, so a server
 * started through `npx` or a shell leaves no grandchildren. When the server closes its
 * pipes on its own, what is left of its group is ended the same way. Because the group is
 * separate, a terminal's Ctrl-C no longer reaches the server directly; its stdin still
 * closes when toolseal exits, on a normal exit remaining groups get SIGTERM, and when
 * toolseal is killed a watchdog ends the group (see `startGroupWatchdog`).
 */
export class StrictStdioClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  /**
   * Gets a note for each line skipped because it is not JSON (see `readMessageLine`), at
   * most ten per connection. Default: one line on this process's stderr.
   */
  onnote?: (note: string) => void;
  /** Told `true` when the server's stdin takes no more for now, `false` once it drained (see `LineWriter`). */
  onbackpressure?: (full: boolean) => void;
  private child: ChildProcess | undefined;
  private notes = 0;
  private readonly stderrStream: PassThrough | null;
  private readonly lines: LineBuffer;
  private readonly server: string;
  private failed = false;
  private closing: Promise<void> | undefined;
  private closeFired = false;
  private pipesClosed: Promise<void> = Promise.resolve();
  private writer: LineWriter | undefined;
  private watchdog: GroupWatchdog | undefined;

  constructor(private readonly options: StrictStdioOptions) {
    this.server = options.server ?? describeTarget({ kind: 'stdio', command: options.command, ...(options.args ? { args: options.args } : {}) });
    const max = options.maxMessageBytes ?? CAPTURE_DEFAULTS.maxListBytes + 1024 * 1024;
    this.lines = new LineBuffer(max, () => new CaptureError('SERVER_MESSAGE_TOO_LARGE', `The MCP server ${this.server} sent a message longer than ${max} bytes; toolseal closed the connection.`));
    // Handed out before start() so early stderr output is not lost (as the SDK does).
    this.stderrStream = options.stderr === 'pipe' ? new PassThrough() : null;
  }

  /** Spawns the server; resolves once it runs, rejects with the spawn error (e.g. ENOENT). */
  start(): Promise<void> {
    if (this.child) throw new Error('StrictStdioClientTransport already started; Client.connect() calls start() itself.');
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.command, this.options.args ?? [], {
        env: this.options.env ?? resolveLaunch().env,
        stdio: ['pipe', 'pipe', this.options.stderr ?? 'inherit'],
        shell: false,
        windowsHide: true,
        detached: GROUPS,
        ...(this.options.cwd ? { cwd: this.options.cwd } : {}),
      });
      this.child = child;
      if (child.stdin) this.writer = new LineWriter(child.stdin, (full) => this.onbackpressure?.(full));
      this.pipesClosed = new Promise((done) => child.once('close', () => done()));
      child.on('error', (err) => { reject(err); this.onerror?.(err); });
      child.once('spawn', () => {
        if (GROUPS) {
          trackGroup(child.pid!);
          this.watchdog = startGroupWatchdog(child.pid!);
        }
        resolve();
      });
      // As in the SDK, the connection ends when the server's pipes close (every process
      // holding them is gone); then whatever is left of its group is ended too.
      child.once('close', () => {
        this.fireClose();
        void this.close();
      });
      child.stdin?.on('error', (err) => this.onerror?.(err));
      child.stdout?.on('data', (chunk: Buffer) => this.read(chunk));
      child.stdout?.on('error', (err) => this.onerror?.(err));
      if (this.stderrStream && child.stderr) child.stderr.pipe(this.stderrStream);
    });
  }

  /** The server's stderr when `stderr: 'pipe'`, else the child's stderr stream or null. */
  get stderr(): Stream | null {
    return this.stderrStream ?? this.child?.stderr ?? null;
  }

  /** The pid of the spawned server (its process group id on POSIX), once started. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Sends one message; the messages of one event-loop turn go out in one write (see `LineWriter`). */
  send(message: JSONRPCMessage): Promise<void> {
    // Not async: one promise fewer per message on the proxy's path.
    if (!this.writer || this.closing) return Promise.reject(new Error('Not connected'));
    return this.writer.send(message);
  }

  /** Ends the server and its process group; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const child = this.child;
    this.lines.clear();
    if (child?.pid === undefined) return;
    try {
      this.writer?.flushNow(); // what was sent before close() still reaches the server
      child.stdin?.end();
    } catch {
      // Already gone.
    }
    const gone = await ensureExited(child.pid, this.options.grace ?? CAPTURE_GRACE, { group: GROUPS });
    untrackGroup(child.pid);
    // A group that would not die even to SIGKILL (uninterruptible sleep) stays watched.
    if (gone) this.watchdog?.release();
    // Once every process is gone its pipes close; a process that left the group may
    // still hold them, so do not wait for it forever.
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([this.pipesClosed.then(() => true), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), 1000); })]);
    clearTimeout(timer);
    if (!waited) {
      child.stdout?.destroy();
      child.stderr?.destroy();
      this.fireClose();
    }
  }

  private read(chunk: Buffer): void {
    if (this.failed) return;
    try {
      for (const line of this.lines.push(chunk)) {
        const message = readMessageLine(line, this.server, (note) => this.note(note));
        if (message !== undefined) this.deliver(message);
      }
    } catch (err) {
      // A line toolseal refuses ends the connection: nothing after it can be trusted.
      // Pending requests fail now; close() still ends the processes in the background.
      this.failed = true;
      this.onerror?.(err as Error);
      void this.close();
      this.fireClose();
    }
  }

  private note(note: string): void {
    this.notes += 1;
    if (this.notes > MAX_NOTES + 1) return;
    const text = this.notes > MAX_NOTES ? `the MCP server ${this.server} keeps writing lines that are not JSON to stdout; further ones are skipped without a note.` : note;
    if (this.onnote) this.onnote(text);
    else process.stderr.write(`toolseal: ${text}\n`);
  }

  private deliver(message: JSONRPCMessage): void {
    try {
      this.onmessage?.(message);
    } catch (err) {
      this.onerror?.(err as Error);
    }
  }

  private fireClose(): void {
    if (this.closeFired) return;
    this.closeFired = true;
    this.onclose?.();
  }
}

/** Groups still running, signalled if toolseal exits without closing them. */
const liveGroups = new Set<number>();
let exitHook = false;

function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const group of liveGroups) signal(-group, 'SIGTERM');
  });
}

function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}
