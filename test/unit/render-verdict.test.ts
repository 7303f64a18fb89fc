import { describe, expect, it } from 'vitest';
import { renderVerdict, VERDICT_MEDIA_TYPE, type Verdict } from '../../src/internal.js';

describe('renderVerdict', () => {
  const base: Verdict = {
    mediaType: VERDICT_MEDIA_TYPE, ok: true, problems: [], compared: 'live-server',
    server: { name: 'acme-weather', version: '1.4.0' }, manifestDigest: `sha256:${'a'.repeat(64)}`,
    signer: { kind: 'key', publicKeyFingerprint: `sha256:${'b'.repeat(64)}` },
  };

  it('says what was verified and by whom', () => {
    const text = renderVerdict(base);
    expect(text).toContain('OK: acme-weather 1.4.0 is verified and the live server matches the signed manifest.');
    expect(text).toContain(`signed by  key sha256:${'b'.repeat(64)}`);
    expect(text).not.toContain('unsigned');
  });

  it('names the paths the signer left out, which nothing checks', () => {
    const text = renderVerdict({ ...base, excluded: ['/tools/*/_meta/traceId'] });
    expect(text).toContain('unsigned   /tools/*/_meta/traceId (left out by the signer; not checked)');
  });

  it('lists every problem with its code when verification failed', () => {
    const text = renderVerdict({ ...base, ok: false, problems: [{ code: 'ROLLBACK', message: 'too old' }] });
    expect(text).toMatch(/^FAILED: acme-weather 1.4.0 did not verify\./);
    expect(text).toContain('[ROLLBACK] too old');
  });
});
