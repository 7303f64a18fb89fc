import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, readJsonFile } from '../../src/internal.js';

// The RFC 8785 reference vectors (cyberphone/json-canonicalization), copied into test/vectors (see its README).
const VECTORS = join(import.meta.dirname, '..', 'vectors', 'jcs');

describe('RFC 8785 vectors', () => {
  it('canonicalBytes reproduces every expected output byte for byte', async () => {
    const files = (await readdir(join(VECTORS, 'input'))).filter((f) => f.endsWith('.json')).sort();
    let passed = 0;
    for (const file of files) {
      const input = await readJsonFile(join(VECTORS, 'input', file));
      const expected = new Uint8Array(await readFile(join(VECTORS, 'output', file)));
      expect(Buffer.from(canonicalBytes(input)).toString('hex'), file).toBe(Buffer.from(expected).toString('hex'));
      passed++;
    }
    console.log(`RFC 8785 vectors passed: ${passed} of ${files.length}`);
    expect(files.length).toBe(6);
    expect(passed).toBe(files.length);
  });
});
