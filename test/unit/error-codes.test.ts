import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyVerifyError } from '../../src/audit/verifier.js';
import { ERROR_CODES, FINDING_CODES, meaningOf, type ErrorClassName } from '../../src/error-codes.js';
import { VerificationError } from '../../src/errors.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every TypeScript source file toolseal ships (library, CLI, Action). */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'testing' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}
const FILES = ['src', 'cli', join('action', 'src')].flatMap((d) => sources(join(ROOT, d)));
const TEXT = FILES.map((f) => ({ file: f, text: readFileSync(f, 'utf8') }));

/** Subclasses raise their parent's codes. */
const CLASS_OF: Record<string, ErrorClassName> = {
  InputError: 'InputError', ManifestError: 'ManifestError', CaptureError: 'CaptureError', PolicyError: 'PolicyError',
  SigningError: 'SigningError', TrustError: 'TrustError', VerificationError: 'VerificationError',
};

/** `new SomeError('CODE'` as written in the source. */
function raised(): { file: string; cls: string; code: string }[] {
  return TEXT.flatMap(({ file, text }) => [...text.matchAll(/new ([A-Z]\w*Error)\(\s*'([A-Z0-9_]+)'/g)].map((m) => ({ file, cls: m[1]!, code: m[2]! })));
}

describe('the error-code registry (src/error-codes.ts)', () => {
  it('every code raised in the source is registered, under the class that raises it', () => {
    const found = raised();
    expect(found.length).toBeGreaterThan(90);
    for (const { file, cls, code } of found) {
      const expected = CLASS_OF[cls];
      if (expected === undefined) continue; // McpError and other libraries' errors
      const entry = (ERROR_CODES as Record<string, { class: string }>)[code];
      expect(entry, `${code} (${file}) is not in the registry`).toBeDefined();
      expect(entry!.class, `${code} is raised as ${cls} in ${file}`).toBe(expected);
    }
  });

  it('no registered code is unused, and each has one meaning', () => {
    const all = TEXT.filter((t) => !t.file.endsWith('error-codes.ts')).map((t) => t.text).join('\n');
    for (const code of [...Object.keys(ERROR_CODES), ...Object.keys(FINDING_CODES)]) {
      const uses = all.split(`'${code}'`).length - 1;
      expect(uses, `${code} is registered but never used`).toBeGreaterThan(0);
      expect(meaningOf(code)?.length, code).toBeGreaterThan(10);
    }
    const meanings = Object.values(ERROR_CODES).map((e) => e.meaning);
    expect(new Set(meanings).size).toBe(meanings.length);
  });

  it('the codes that once had two meanings are split', () => {
    expect(ERROR_CODES.SUBJECT_MISMATCH.meaning).toMatch(/certificate/);
    expect(ERROR_CODES.STATEMENT_SUBJECT_MISMATCH.meaning).toMatch(/statement/);
    expect(ERROR_CODES.SIGNING_KEY_INVALID.class).toBe('SigningError');
    expect(ERROR_CODES.PUBLIC_KEY_INVALID.class).toBe('PolicyError');
    expect(ERROR_CODES.KEY_SIGNATURE_INVALID.meaning).toMatch(/altered, or another key/);
    expect(meaningOf('KEY_INVALID')).toBeUndefined();
  });

  it('the audit calls a failing key signature a signature failure and a self-contradicting statement its own rule, never "wrong signer"', () => {
    const rule = (code: 'KEY_SIGNATURE_INVALID' | 'STATEMENT_SUBJECT_MISMATCH' | 'SUBJECT_DIGEST_MISMATCH' | 'SUBJECT_MISMATCH' | 'KEY_MISMATCH') => classifyVerifyError(new VerificationError(code, 'x')).rule;
    expect(rule('KEY_SIGNATURE_INVALID')).toBe('signature-invalid');
    // Its own rule since the registry audit binds entries to manifests (issue 13): validly signed, but not its server's.
    expect(rule('STATEMENT_SUBJECT_MISMATCH')).toBe('statement-subject-mismatch');
    expect(rule('SUBJECT_DIGEST_MISMATCH')).toBe('signature-invalid');
    expect(rule('SUBJECT_MISMATCH')).toBe('identity-mismatch');
    expect(rule('KEY_MISMATCH')).toBe('identity-mismatch');
  });
});
