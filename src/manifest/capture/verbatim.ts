import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * The bytes a message was read from, kept so a proxy can forward what it checked instead of
 * re-serializing it: the line as the server wrote it, and where its `id` value is (a proxy
 * gives a response the client's id back; only those bytes change).
 */
interface Verbatim {
  text: string;
  idStart: number;
  idEnd: number;
  /** The id the message goes out under, JSON-encoded; absent when it keeps its own. */
  id?: string;
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
 * - a message with an id has its id's span (`idSpan`).
 */
export function keepVerbatim(message: JSONRPCMessage, value: Record<string, unknown>, text: string, protoMember: boolean, idSpan: [number, number] | undefined): void {
  if (protoMember || 'error' in value || text.includes('\r')) return;
  if (!plainRelatedTask(value.params) || !plainRelatedTask(value.result)) return;
  if ('id' in value) {
    if (idSpan === undefined) return;
    Stamped.stamp(message, { text, idStart: idSpan[0], idEnd: idSpan[1] });
  } else {
    Stamped.stamp(message, { text, idStart: -1, idEnd: -1 });
  }
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
    Stamped.stamp(copy, { text: verbatim.text, idStart: verbatim.idStart, idEnd: verbatim.idEnd, id: typeof id === 'number' ? String(id) : JSON.stringify(id) });
  }
  return copy;
}

/** The line to write for `message` (newline-terminated) when it is forwarded verbatim, else undefined. */
export function verbatimLine(message: object): string | undefined {
  const v = Stamped.of(message);
  if (v === undefined) return undefined;
  if (v.id === undefined) return `${v.text}\n`;
  return `${v.text.slice(0, v.idStart)}${v.id}${v.text.slice(v.idEnd)}\n`;
}
