import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * The bytes a message was read from, kept so a proxy can forward what it checked instead of
 * re-serializing it: the line as its sender wrote it (without the newline), and where its
 * `id` value is in those bytes (a proxy gives a response the client's id back and a request
 * its own; only those bytes change). Bytes, not text: writing a string to a pipe encodes it
 * again, which was the proxy's largest cost once nothing was parsed twice.
 */
export interface Verbatim {
  readonly bytes: Buffer;
  readonly idStart: number;
  readonly idEnd: number;
  /** The id the message goes out under, JSON-encoded; absent when it keeps its own. */
  readonly id?: Buffer;
}

/** A constructor that returns the object it is given, so a subclass can add a private field to it. */
class Returning {
  constructor(target: object) {
    return target as Returning;
  }
}

/**
 * Holds a message's verbatim form in a private field of the very object the strict reader
 * returned. A private field is invisible to every reader of the message (`Object.keys`,
 * spreads, `JSON.stringify`, `structuredClone`, deep equality), and a copy never has it, so
 * any other object (a spread, a message the guard built or changed) is serialized as usual:
 * what goes out verbatim is always the exact line whose parse the guard saw. (A WeakMap
 * does the same at many times the cost: its write barrier for young keys alone was 2 % of
 * the proxy's CPU.)
 */
class Stamped extends Returning {
  #verbatim: Verbatim;

  private constructor(message: object, verbatim: Verbatim) {
    super(message);
    this.#verbatim = verbatim;
  }

  static stamp(message: object, verbatim: Verbatim): void {
    if (!(#verbatim in message)) new Stamped(message, verbatim);
  }

  static of(message: object): Verbatim | undefined {
    return #verbatim in message ? (message as Stamped).#verbatim : undefined;
  }
}

const RELATED_TASK = 'io.modelcontextprotocol/related-task';

/**
 * Records `text` as the verbatim form of `message` (the SDK schema's output for
 * `value`, `JSON.parse`'s value of `text`) when forwarding it says exactly what `message`
 * says, that is when the schema dropped nothing of `value`:
 * - no own `__proto__` member (a copy by assignment turns it into a prototype);
 * - not an error response (the schema drops unknown members of `error`; the guard may
 *   also rewrite the error);
 * - `_meta["io.modelcontextprotocol/related-task"]` has no member beside `taskId` (same);
 * - no carriage return inside the line (a line reader may split there);
 * - a message with an id has its id's span (`idSpan`, in `text`).
 *
 * `line` is the bytes `text` was decoded from (UTF-8, decoded strictly so the two say the
 * same), with or without the one trailing carriage return that `text` no longer has.
 */
export function keepVerbatim(message: JSONRPCMessage, value: Record<string, unknown>, text: string, protoMember: boolean, idSpan: [number, number] | undefined, line: Buffer): void {
  if (protoMember || 'error' in value || text.includes('\r')) return;
  if (!plainRelatedTask(value.params) || !plainRelatedTask(value.result)) return;
  const bytes = line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
  if (!('id' in value)) return Stamped.stamp(message, { bytes, idStart: -1, idEnd: -1 });
  if (idSpan === undefined) return;
  const written = text.slice(idSpan[0], idSpan[1]);
  // Offsets in text are UTF-16 units; in bytes they differ only when something before is not ASCII.
  const ascii = bytes.length === text.length;
  const idStart = ascii ? idSpan[0] : Buffer.byteLength(text.slice(0, idSpan[0]));
  const idEnd = ascii ? idSpan[1] : idStart + Buffer.byteLength(written);
  // An id written another way than JSON writes it (`1.0`, `1e0`, `"\u0061"`) goes out as JSON
  // writes the id the guard matched: a strict reader on the other side may not equate the two.
  const canonical = JSON.stringify(value.id);
  Stamped.stamp(message, { bytes, idStart, idEnd, ...(written === canonical ? {} : { id: Buffer.from(canonical) }) });
}

function plainRelatedTask(holder: unknown): boolean {
  const meta = (holder as { _meta?: unknown } | undefined)?._meta;
  if (meta === null || typeof meta !== 'object') return true;
  const task = (meta as Record<string, unknown>)[RELATED_TASK];
  return task === null || typeof task !== 'object' || Object.keys(task).length <= 1;
}

/**
 * `{ ...message, id }`: the same message under another id. When `message` has a verbatim
 * form, the copy has it too, with only the id's bytes replaced.
 */
export function withId<T extends object>(message: T, id: string | number): T {
  const copy = { ...message, id } as T;
  const verbatim = Stamped.of(message);
  if (verbatim !== undefined && verbatim.idStart >= 0) {
    Stamped.stamp(copy, { bytes: verbatim.bytes, idStart: verbatim.idStart, idEnd: verbatim.idEnd, id: Buffer.from(JSON.stringify(id)) });
  }
  return copy;
}

/** The verbatim form of `message` when it is forwarded as read, else undefined. */
export function verbatimOf(message: object): Verbatim | undefined {
  return Stamped.of(message);
}

/** Bytes of the newline-terminated line `v` writes. */
export function verbatimByteLength(v: Verbatim): number {
  return v.id === undefined ? v.bytes.length + 1 : v.bytes.length - (v.idEnd - v.idStart) + v.id.length + 1;
}

/**
 * Copies the newline-terminated line `v` writes into `target` at `at` and returns the offset
 * after it: the bytes read, with the id's bytes replaced when it goes out under another id.
 * Copied straight from what was read, with no slice or piece list per message.
 */
export function copyVerbatim(v: Verbatim, target: Buffer, at: number): number {
  let end: number;
  if (v.id === undefined) {
    end = at + v.bytes.copy(target, at);
  } else {
    end = at + v.bytes.copy(target, at, 0, v.idStart);
    end += v.id.copy(target, end);
    end += v.bytes.copy(target, end, v.idEnd);
  }
  target[end] = 0x0a;
  return end + 1;
}

/** The line `message` is written as when it is forwarded verbatim, as text; undefined when it is not. */
export function verbatimLine(message: object): string | undefined {
  const v = verbatimOf(message);
  if (v === undefined) return undefined;
  const line = Buffer.alloc(verbatimByteLength(v));
  copyVerbatim(v, line, 0);
  return line.toString('utf8');
}
