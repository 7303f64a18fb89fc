import { LIST_KEYS, type ListName } from './lists.js';

/** Where a manifest file holds its parts, as 1-based line numbers of the file's text. */
export interface ManifestLines {
  /** The line where a top-level member's name is (`"server"`, `"instructions"`, `"tools"`). */
  member(name: string): number | undefined;
  /** The line where the entry of `list` with this key opens (its `{`). */
  entry(list: ListName, key: string): number | undefined;
}

interface Node {
  start: number;
  members?: Map<string, { nameStart: number; value: Node }>;
  items?: Node[];
  text?: string;
}

/**
 * Finds the lines of a manifest file's members and list entries, so an annotation can point
 * a reviewer at the entry that changed. Reads the text as written (any indentation); the
 * file was already parsed strictly elsewhere, so text that does not scan gives no lines
 * rather than an error.
 */
export function locateManifestLines(text: string): ManifestLines {
  let root: Node | undefined;
  try {
    root = new Scanner(text).document();
  } catch {
    root = undefined;
  }
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (pos: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  return {
    member: (name) => {
      const found = root?.members?.get(name);
      return found ? lineOf(found.nameStart) : undefined;
    },
    entry: (list, key) => {
      const entry = root?.members?.get(list)?.value.items?.find((item) => item.members?.get(LIST_KEYS[list])?.value.text === key);
      return entry ? lineOf(entry.start) : undefined;
    },
  };
}

/** A small JSON scanner that keeps where each value starts; strings keep their decoded text. */
class Scanner {
  private i = 0;
  constructor(private readonly s: string) {}

  document(): Node {
    const node = this.value();
    this.space();
    if (this.i !== this.s.length) throw new Error('trailing text');
    return node;
  }

  private value(): Node {
    this.space();
    const start = this.i;
    const ch = this.s[this.i];
    if (ch === '{') return this.object(start);
    if (ch === '[') return this.array(start);
    if (ch === '"') return { start, text: this.string() };
    const match = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.s.slice(this.i, this.i + 400));
    if (!match) throw new Error(`unexpected ${ch} at ${this.i}`);
    this.i += match[0].length;
    return { start };
  }

  private object(start: number): Node {
    const members = new Map<string, { nameStart: number; value: Node }>();
    this.i++;
    if (this.peek() === '}') return this.i++, { start, members };
    for (;;) {
      this.space();
      const nameStart = this.i;
      const name = this.string();
      if (this.peek() !== ':') throw new Error('expected :');
      this.i++;
      members.set(name, { nameStart, value: this.value() });
      const next = this.peek();
      this.i++;
      if (next === '}') return { start, members };
      if (next !== ',') throw new Error('expected , or }');
    }
  }

  private array(start: number): Node {
    const items: Node[] = [];
    this.i++;
    if (this.peek() === ']') return this.i++, { start, items };
    for (;;) {
      items.push(this.value());
      const next = this.peek();
      this.i++;
      if (next === ']') return { start, items };
      if (next !== ',') throw new Error('expected , or ]');
    }
  }

  private string(): string {
    if (this.s[this.i] !== '"') throw new Error('expected a string');
    let j = this.i + 1;
    while (j < this.s.length && this.s[j] !== '"') j += this.s[j] === '\\' ? 2 : 1;
    const raw = this.s.slice(this.i, j + 1);
    this.i = j + 1;
    return JSON.parse(raw) as string;
  }

  private peek(): string | undefined {
    this.space();
    return this.s[this.i];
  }

  private space(): void {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i]!)) this.i++;
  }
}
