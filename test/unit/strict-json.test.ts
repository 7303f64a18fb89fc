import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, parseStrictJson, readJsonFile } from '../../src/internal.js';

/** Parses and returns the InputError it must throw. */
function refusal(text: string, source = 'tools.json'): InputError {
  try {
    parseStrictJson(text, source);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error(`expected ${JSON.stringify(text.slice(0, 40))} to be refused`);
}

describe('parseStrictJson', () => {
  it('accepts ordinary JSON, surrogate pairs and large finite numbers, returning JSON.parse\'s value', () => {
    const text = '{"a":[1,2,{"b":"\\ud83d\\ude00"}],"n":1.7976931348623157e308,"s":"x\\"y"}';
    expect(parseStrictJson(text, 'ok.json')).toEqual(JSON.parse(text));
  });

  it('refuses duplicate keys at the top level, naming the source and the member', () => {
    const err = refusal('{"x":1,"x":1}');
    expect(err.code).toBe('JSON_DUPLICATE_KEY');
    expect(err.message).toContain('tools.json');
    expect(err.message).toContain('the top level (/x)');
  });

  it('refuses nested duplicates with the JSON pointer of the object, escaping / and ~', () => {
    const err = refusal('{"tools":[{"inputSchema":{"a/b":{"c~d":{"e":1,"e":2}}}}]}');
    expect(err.code).toBe('JSON_DUPLICATE_KEY');
    expect(err.message).toContain('at /tools/0/inputSchema/a~1b/c~0d (/tools/0/inputSchema/a~1b/c~0d/e)');
  });

  it('refuses keys that are equal only after escape decoding ("a" and "\\u0061")', () => {
    expect(refusal('{"a":1,"\\u0061":2}').code).toBe('JSON_DUPLICATE_KEY');
    expect(refusal('{"q\\"":1,"q\\u0022":2}').code).toBe('JSON_DUPLICATE_KEY');
    expect(refusal('{"__proto__":1,"__proto__":2}').code).toBe('JSON_DUPLICATE_KEY');
  });

  it('tells equal-looking but different keys apart (no false duplicate)', () => {
    expect(parseStrictJson('{"a":1,"A":2,"a\\\\":3,"a ":4}', 'k.json')).toEqual({ a: 1, A: 2, 'a\\': 3, 'a ': 4 });
  });

  it('refuses lone surrogates written as escapes, high or low, in values and keys', () => {
    const high = refusal('{"tools":[{"description":"ok \\ud800 then"}]}');
    expect(high.code).toBe('JSON_LONE_SURROGATE');
    expect(high.message).toContain('/tools/0/description');
    expect(refusal('"\\udc00"').message).toContain('the top level');
    expect(refusal('{"\\udfff":1}').code).toBe('JSON_LONE_SURROGATE');
    expect(refusal('["\\ude00\\ud83d"]').code).toBe('JSON_LONE_SURROGATE'); // pair in the wrong order
  });

  it('refuses numbers that overflow to Infinity, with their pointer', () => {
    const err = refusal('{"schema":{"maximum":1e400}}');
    expect(err.code).toBe('JSON_NON_FINITE');
    expect(err.message).toContain('/schema/maximum');
    expect(refusal('[0,-2E999]').message).toContain('/1');
  });

  it('refuses nesting deeper than the limit instead of overflowing the stack', () => {
    const err = refusal(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
    expect(err.code).toBe('JSON_TOO_DEEP');
    expect(parseStrictJson(`${'['.repeat(500)}${']'.repeat(500)}`, 'ok.json')).toBeInstanceOf(Array);
  });

  it('refuses text that is not JSON at all', () => {
    expect(refusal('{"a":1,}').code).toBe('JSON_INVALID');
  });
});

describe('readJsonFile', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'toolseal-strict-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('refuses a file that is not valid UTF-8, naming it', async () => {
    const path = join(dir, 'latin1.json');
    await writeFile(path, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d])); // {"a":"<0xE9>"}
    await expect(readJsonFile(path)).rejects.toMatchObject({ code: 'FILE_NOT_UTF8', message: expect.stringContaining(path) });
  });

  it('refuses UTF-8-encoded surrogates (CESU-8) as invalid UTF-8', async () => {
    const path = join(dir, 'cesu.json');
    await writeFile(path, Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]));
    await expect(readJsonFile(path)).rejects.toMatchObject({ code: 'FILE_NOT_UTF8' });
  });

  it('passes the file path to strict parsing errors', async () => {
    const path = join(dir, 'dup.json');
    await writeFile(path, '{"a":1,"a":2}');
    await expect(readJsonFile(path)).rejects.toMatchObject({ code: 'JSON_DUPLICATE_KEY', message: expect.stringContaining(path) });
  });

  it('reports a missing file as FILE_UNREADABLE', async () => {
    await expect(readJsonFile(join(dir, 'nope.json'))).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
  });
});
