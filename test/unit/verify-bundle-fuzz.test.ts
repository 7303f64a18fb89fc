import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrustMaterial } from '@sigstore/verify';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  embeddedPublicGoodSource, parsePolicy, parsePublicKeyPem, parseStrictJson, ToolsealError, verifyBundle,
  type IdentityPolicy,
} from '../../src/internal.js';

const VECTORS = join(import.meta.dirname, '..', 'vectors', 'sigstore-conformance', 'bundle-verify');
const TEXT = readFileSync(join(VECTORS, 'happy-path-v0.3', 'bundle.sigstore.json'), 'utf8');
const artifact = new Uint8Array(readFileSync(join(VECTORS, 'a.txt')));
const identity: IdentityPolicy = { kind: 'keyless', identities: [{ issuer: 'https://token.actions.githubusercontent.com', subjectPattern: '.*' }] };
const RUNS = { numRuns: 150, seed: 20260522 };

let trust: TrustMaterial;
beforeAll(async () => { trust = await embeddedPublicGoodSource().load(); });

/** Runs the whole path (strict parse, verify); anything thrown must be a ToolsealError with a code. */
function outcome(text: string): string {
  try {
    verifyBundle(parseStrictJson(text, 'fuzzed bundle'), { identity, trust, artifact });
    return 'OK';
  } catch (err) {
    if (!(err instanceof ToolsealError)) throw new Error(`crash (${(err as Error)?.constructor?.name}): ${(err as Error)?.message}`, { cause: err });
    expect(err.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    return err.code;
  }
}

/** Every JSON pointer to a leaf of the real bundle, so mutations hit real fields. */
function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, Array.isArray(value) ? Number(k) : k]));
  return [path];
}
const BASE = JSON.parse(TEXT) as Record<string, unknown>;
const PATHS = leaves(BASE);

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

const weird = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.constant(1e308), fc.constant(-1), fc.constant('9'.repeat(40)),
  fc.string(), fc.constant('!!!not-base64!!!'), fc.constant('AAAA'), fc.constant([]), fc.constant({}), fc.base64String(),
);

describe('verifyBundle never crashes on malformed input', () => {
  it('the unmutated bundle verifies (the fuzz starts from a good input)', () => {
    expect(outcome(TEXT)).toBe('OK');
  });

  it('truncated JSON', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: TEXT.trimEnd().length - 1 }), (n) => { expect(outcome(TEXT.slice(0, n))).not.toBe('OK'); }), RUNS);
  });

  it('a field replaced by a wrong type, bad base64 or a huge number', () => {
    fc.assert(fc.property(fc.constantFrom(...PATHS), weird, (path, value) => {
      outcome(JSON.stringify(setAt(BASE, path, value)));
    }), RUNS);
  });

  it('a field deleted', () => {
    fc.assert(fc.property(fc.constantFrom(...PATHS), (path) => {
      const copy = structuredClone(BASE) as Record<string | number, unknown>;
      let node = copy;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      delete node[path.at(-1)!];
      outcome(JSON.stringify(copy));
    }), RUNS);
  });

  it('a byte flipped anywhere in the text', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: TEXT.length - 1 }), fc.integer({ min: 1, max: 127 }), (i, c) => {
      outcome(TEXT.slice(0, i) + String.fromCharCode(c) + TEXT.slice(i + 1));
    }), RUNS);
  });

  it('duplicate keys are refused before anything else', () => {
    expect(outcome(TEXT.replace('{', '{"mediaType":"x",'))).toBe('JSON_DUPLICATE_KEY');
  });

  it('non-object inputs', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => { expect(outcome(JSON.stringify(value) ?? 'null')).not.toBe('OK'); }), RUNS);
  });
});

describe('policies and keys never crash on malformed input', () => {
  it('arbitrary JSON as a policy is a PolicyError or a valid policy', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue(), async (value) => {
      const err = await parsePolicy(value, 'fuzzed policy', '/nonexistent').then(() => undefined, (e: unknown) => e);
      if (err !== undefined) {
        expect(err).toBeInstanceOf(ToolsealError);
        expect((err as ToolsealError).code).toMatch(/^POLICY_/);
      }
    }), RUNS);
  });

  it('mutated policy fields', async () => {
    const good = { version: 1, identity: { issuer: 'https://i', subjectPattern: 'a', github: { repositoryId: '1', ref: 'refs/*' } } };
    const paths = leaves(good);
    await fc.assert(fc.asyncProperty(fc.constantFrom(...paths), weird, async (path, value) => {
      const err = await parsePolicy(setAt(good, path, value), 'fuzzed policy', '/nonexistent').then(() => undefined, (e: unknown) => e);
      if (err !== undefined) expect(err).toBeInstanceOf(ToolsealError);
    }), RUNS);
  });

  it('garbage PEM keys are a PUBLIC_KEY_INVALID PolicyError', () => {
    const body = fc.oneof(fc.string(), fc.base64String(), fc.constant('MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE'));
    fc.assert(fc.property(body, (b) => {
      try {
        parsePublicKeyPem(`-----BEGIN PUBLIC KEY-----\n${b}\n-----END PUBLIC KEY-----\n`, 'fuzzed key');
      } catch (err) {
        expect(err).toBeInstanceOf(ToolsealError);
        expect((err as ToolsealError).code).toBe('PUBLIC_KEY_INVALID');
      }
    }), RUNS);
  });
});
