import { open, type FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';

/**
 * One audit record, written as one JSON line. `event` says what was decided about:
 * `verify` (a capture was verified; `decision` accept/filter/warn/refuse), `entry` (one
 * entry's exposure changed: expose/hide), `call` (a call, get or read: allow/refuse),
 * `session` (the session opened or closed), `server-output` (a stdout line of the server
 * that is not JSON was skipped: `skipped`).
 */
export interface AuditRecord {
  time: string;
  /** The signed server name. */
  server: string;
  /** Distinguishes sessions of one proxy (one per downstream connection). */
  session: string;
  event: 'verify' | 'entry' | 'call' | 'session' | 'server-output';
  decision: string;
  /** `tools/get_weather`, `prompts/forecast`, `resources/file:///x`. */
  entry?: string;
  digest?: string;
  code?: string;
  reason?: string;
  enforce?: string;
}

/** Where audit records go. `write` must not throw; failures go to `onError` of the implementation. */
export interface AuditSink {
  write(record: AuditRecord): void;
  /** Flushes pending writes and releases the sink. */
  close(): Promise<void>;
}

/** A sink that drops everything (the default when no audit log is configured). */
export const NULL_AUDIT_SINK: AuditSink = Object.freeze({ write: () => {}, close: async () => {} });

/**
 * Opens `path` for appending (created if missing) and writes each record as one line with a
 * single `write` call, in order. O_APPEND keeps lines whole even when several proxies share
 * the file. Opening fails loudly (a gateway that cannot audit should not start); a later
 * write failure is reported to `onError` and the line is lost, the session goes on.
 *
 * @throws InputError `AUDIT_LOG_UNWRITABLE`
 */
export async function createFileAuditSink(path: string, onError: (err: Error) => void = () => {}): Promise<AuditSink> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'a', 0o600);
  } catch (err) {
    throw new InputError('AUDIT_LOG_UNWRITABLE', `The audit log ${path} cannot be opened for appending (${(err as Error).message}); choose a writable path for --audit-log.`, { cause: err });
  }
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;
  return {
    write(record) {
      if (closed) return;
      const line = `${JSON.stringify(record)}\n`;
      chain = chain.then(() => handle.write(line)).catch((err: Error) => onError(err));
    },
    async close() {
      if (closed) return;
      closed = true;
      await chain;
      await handle.close();
    },
  };
}
