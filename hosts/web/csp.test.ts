import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, META_CONTENT_SECURITY_POLICY } from './csp';

describe('Content-Security-Policy', () => {
  it('under Electron is exactly the base policy plus the icon and three non-fallback directives', () => {
    expect(contentSecurityPolicy(null)).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it('in browser mode adds connect-src for the listed WebSocket URLs only', () => {
    expect(contentSecurityPolicy('ws://127.0.0.1:4000 ws://localhost:4000')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src ws://127.0.0.1:4000 ws://localhost:4000; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it('never allows inline code, eval, data: or wildcard sources', () => {
    for (const csp of [contentSecurityPolicy(null), contentSecurityPolicy('ws://127.0.0.1:1'), META_CONTENT_SECURITY_POLICY]) {
      expect(csp).not.toMatch(/unsafe-|data:|blob:|\*|https?:/);
      expect(csp.startsWith("default-src 'none'; script-src 'self'; style-src 'self'")).toBe(true);
    }
  });

  it('renderer/index.html carries the same policy as a meta tag', () => {
    const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
    expect(m?.[1]).toBe(META_CONTENT_SECURITY_POLICY);
    // The meta must come before any script, or it would not govern it.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<script'));
  });
});
