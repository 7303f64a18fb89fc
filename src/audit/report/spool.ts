import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { replaceFileAtomic } from '../../io/files.js';

/**
 * A temporary file that report text is appended to as servers finish, so a report over any
 * number of servers is never held in memory. Writes wait for the file to drain.
 */
export class Spool {
  private constructor(readonly path: string, private readonly out: WriteStream) {}

  /** Opens a new spool file in `dir`. */
  static async open(dir: string, name: string): Promise<Spool> {
    const path = join(dir, name);
    const out = createWriteStream(path, { flags: 'wx' });
    await once(out, 'open');
    return new Spool(path, out);
  }

  write(text: string): Promise<void> {
    return writeTo(this.out, text);
  }

  async close(): Promise<void> {
    if (this.out.closed) return;
    this.out.end();
    await once(this.out, 'close');
  }
}

/**
 * Writes and, when the stream's buffer is full, waits for it to drain. `once` also rejects
 * on the stream's `error` and removes both its listeners either way (a race of two `once`
 * calls would leave one listener behind per wait).
 */
export async function writeTo(out: Writable, text: string | Buffer): Promise<void> {
  if (out.write(text)) return;
  await once(out, 'drain');
}

/** A folder of spools for one run, removed when the run's reports are done. */
export async function openSpoolDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'toolseal-audit-report-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A piece of a report: literal text, or a spool's whole content. */
export type ReportPart = string | Spool;

/**
 * Where a finished report goes: a file (written to a temporary sibling and renamed over the
 * target, so readers see the whole report or none) or a stream such as stdout (written only
 * when the report is complete, so a run that fails prints no half document).
 */
export interface ReportDestination {
  write(parts: ReportPart[]): Promise<void>;
}

/** A file destination, replaced atomically. */
export function fileDestination(path: string): ReportDestination {
  return {
    async write(parts) {
      await replaceFileAtomic(path, async (tmp) => {
        const out = createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
        await once(out, 'open');
        await copyParts(parts, out);
        out.end();
        await once(out, 'close');
      });
    },
  };
}

/** A stream destination (stdout); the stream is not ended. */
export function streamDestination(out: Writable): ReportDestination {
  return { write: (parts) => copyParts(parts, out) };
}

async function copyParts(parts: ReportPart[], out: Writable): Promise<void> {
  for (const part of parts) {
    if (typeof part === 'string') {
      await writeTo(out, part);
      continue;
    }
    await part.close();
    for await (const chunk of createReadStream(part.path)) await writeTo(out, chunk as Buffer);
  }
}
