/** The few DER encodings the local Sigstore writes by hand (X.690 §8.1.3, §8.23). */

/** Encodes a DER definite length. */
export function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A DER UTF8String (tag 12): how Fulcio encodes extensions from OID .1.8 on. */
export function derUtf8String(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([Buffer.from([0x0c]), derLength(bytes.length), bytes]);
}

/** A DER OCTET STRING (tag 4). */
export function derOctetString(value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x04]), derLength(value.length), value]);
}

/** Reads the tag/length header at `offset`; returns where the content starts and ends. */
function readHeader(der: Buffer, offset: number): { start: number; end: number } {
  const first = der[offset + 1];
  if (first === undefined) throw new Error('truncated DER');
  if (first < 0x80) return { start: offset + 2, end: offset + 2 + first };
  const count = first & 0x7f;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (der[offset + 2 + i] ?? 0);
  const start = offset + 2 + count;
  return { start, end: start + length };
}

/** The complete encoding (header included) of the first element inside the SEQUENCE `der`. */
export function firstElement(der: Buffer): Buffer {
  const outer = readHeader(der, 0);
  const inner = readHeader(der, outer.start);
  return der.subarray(outer.start, inner.end);
}
