import { describe, expect, it } from 'vitest';
import { escapeHtml, htmlCode } from '../../src/io/escape.js';

describe('Markdown output escaping (built on the terminal rule)', () => {
  it('escapes HTML syntax and every character the terminal rule escapes', () => {
    expect(escapeHtml('<b a="1">&\u202E\n')).toBe('&lt;b a=&quot;1&quot;&gt;&amp;\\u{202E}\\n');
  });

  it('wraps server text in <code>, cut and escaped, so it cannot open a tag', () => {
    expect(htmlCode('<script>', 200)).toBe('<code>&lt;script&gt;</code>');
    expect(htmlCode('x'.repeat(10), 4)).toBe('<code>xxxx… (10 chars)</code>');
  });
});
