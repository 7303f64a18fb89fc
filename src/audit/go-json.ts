/**
 * The byte length of a JSON value as Go's `encoding/json.Marshal` writes it, which is how
 * the official MCP Registry (written in Go) measures the publisher's `_meta` against its
 * 4 KB limit. It differs from `JSON.stringify` in what it escapes: `<`, `>` and `&` become
 * `\u003c`-style escapes (Marshal's HTML escaping is always on), and so do U+2028 and
 * U+2029; invalid UTF-8 becomes `\ufffd`; `-0` stays `-0`. Map keys are sorted, which does
 * not change the length. (`\b` and `\f` are two-byte escapes in both since Go 1.22.)
 */
export function goJsonByteLength(value: unknown): number {
  if (value === null) return 4;
  switch (typeof value) {
    case 'string':
      return goStringLength(value);
    case 'number':
      return Object.is(value, -0) ? 2 : JSON.stringify(value).length;
    case 'boolean':
      return value ? 4 : 5;
    case 'object':
      return Array.isArray(value) ? arrayLength(value) : objectLength(value as Record<string, unknown>);
    default:
      // undefined, functions, symbols and bigints never come out of a JSON parser.
      throw new TypeError(`goJsonByteLength: ${typeof value} is not a JSON value`);
  }
}

function arrayLength(items: unknown[]): number {
  let n = 2 + Math.max(0, items.length - 1);
  for (const item of items) n += goJsonByteLength(item);
  return n;
}

function objectLength(object: Record<string, unknown>): number {
  const keys = Object.keys(object);
  let n = 2 + Math.max(0, keys.length - 1);
  for (const key of keys) n += goStringLength(key) + 1 + goJsonByteLength(object[key]);
  return n;
}

/** A quoted Go JSON string: its escapes and the UTF-8 bytes of everything else. */
function goStringLength(text: string): number {
  let n = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x0c || c === 0x0a || c === 0x0d || c === 0x09) n += 2;
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) n += 6;
    else if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) n += 6; // a lone surrogate is invalid UTF-8 to Go: \ufffd
    else n += 3;
  }
  return n;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
