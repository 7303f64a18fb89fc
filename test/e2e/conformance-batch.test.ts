import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrustMaterial } from '@sigstore/verify';
import {
  embeddedPublicGoodSource, identityPolicyOf, parseStrictJson, policyFromFlags, ToolsealError, trustMaterialFromText,
  verifyBundle, type ArtifactInput,
} from '../../src/internal.js';
import { SharedVerificationCaches } from '../../src/verify/batch/index.js';
import { at, cases, IDENTITY, ISSUER, VECTORS } from './conformance.helpers.js';

// The shared-cache verifier must be exactly as strict as sigstore-js one bundle at a time: the
// sigstore-conformance cases, verified alone and then all together through one set of shared
// caches (twice, and in reverse order, so cached state from earlier cases is in play), give
// the same answer, error code for error code.
interface Case { name: string; bundle: unknown; identity: Awaited<ReturnType<typeof policyFromFlags>>; rootKey: string; artifact: Uint8Array }

async function load(name: string): Promise<Case | string> {
  try {
    const identity = await policyFromFlags(existsSync(at(name, 'key.pub')) ? { key: at(name, 'key.pub') } : { certificateIdentity: IDENTITY, certificateOidcIssuer: ISSUER });
    const rootKey = existsSync(at(name, 'trusted_root.json')) ? readFileSync(at(name, 'trusted_root.json'), 'utf8') : '';
    const artifact = new Uint8Array(readFileSync(existsSync(at(name, 'artifact')) ? at(name, 'artifact') : join(VECTORS, 'a.txt')));
    return { name, bundle: parseStrictJson(readFileSync(at(name, 'bundle.sigstore.json'), 'utf8'), name), identity, rootKey, artifact };
  } catch (err) {
    return codeOf(err);
  }
}

function codeOf(err: unknown): string {
  expect(err, (err as Error).message).toBeInstanceOf(ToolsealError);
  return (err as ToolsealError).code;
}

/** Trust material per distinct trusted root: the batch shares it (and so its caches) across cases. */
function trustLoader(): (c: Case) => Promise<TrustMaterial> {
  const loaded = new Map<string, Promise<TrustMaterial>>();
  return (c) => {
    if (!loaded.has(c.rootKey)) loaded.set(c.rootKey, c.rootKey === '' ? embeddedPublicGoodSource().load() : Promise.resolve().then(() => trustMaterialFromText(c.rootKey, c.name)));
    return loaded.get(c.rootKey)!;
  };
}

async function verifyOne(c: Case | string, trust: (c: Case) => Promise<TrustMaterial>, artifact: (c: Case) => ArtifactInput, caches?: SharedVerificationCaches): Promise<string> {
  if (typeof c === 'string') return c;
  try {
    verifyBundle(c.bundle, { identity: identityPolicyOf(c.identity), trust: await trust(c), artifact: artifact(c), ...(caches ? { caches } : {}) });
    return 'OK';
  } catch (err) {
    return codeOf(err);
  }
}

describe('sigstore-conformance cases: one at a time and as one batch with shared caches', () => {
  for (const mode of ['file', 'digest'] as const) {
    it(`give the same answers, code for code (artifact as ${mode})`, async () => {
      const artifact = (c: Case): ArtifactInput => (mode === 'file' ? c.artifact : { sha256: createHash('sha256').update(c.artifact).digest('hex') });
      const loaded = await Promise.all(cases.map(load));
      const alone: Record<string, string> = {};
      // Alone: a new trust material per case, no shared caches (sigstore-js's Verifier).
      for (const [i, c] of loaded.entries()) alone[cases[i]!] = await verifyOne(c, trustLoader(), artifact);
      const wrong = Object.entries(alone).filter(([name, code]) => (code === 'OK') === name.endsWith('_fail'));
      expect(wrong).toEqual([]);

      const caches = new SharedVerificationCaches();
      const trust = trustLoader();
      for (const order of [[...loaded.keys()], [...loaded.keys()].reverse(), [...loaded.keys()]]) {
        const batch: Record<string, string> = {};
        for (const i of order) batch[cases[i]!] = await verifyOne(loaded[i]!, trust, artifact, caches);
        expect(batch).toEqual(alone);
      }
      expect(Object.values(alone).filter((code) => code === 'OK').length).toBeGreaterThan(10);
    }, 120_000);
  }
});
