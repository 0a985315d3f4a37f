import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, isAppUrl } from './app-origin';
import { isTrustedSender, type SenderFrame } from './trusted-sender';

const top = (url: string): SenderFrame => ({ url, parent: null });
const sub = (url: string): SenderFrame => ({ url, parent: top(`${APP_ORIGIN}/index.html`) });

describe('isTrustedSender (IPC sender check)', () => {
  it("accepts the app's own top-level page", () => {
    expect(isTrustedSender(top('app://sockscope/index.html'))).toBe(true);
    expect(isTrustedSender(top('app://sockscope/'))).toBe(true);
    expect(isTrustedSender(top('app://sockscope/index.html?x=1#y'))).toBe(true);
  });

  it('refuses a null or missing senderFrame (navigated away or destroyed)', () => {
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
  });

  it('refuses a subframe, even one showing our own page', () => {
    expect(isTrustedSender(sub('app://sockscope/index.html'))).toBe(false);
    expect(isTrustedSender({ url: 'app://sockscope/index.html', parent: undefined })).toBe(false);
  });

  it('refuses every other origin', () => {
    for (const url of [
      'https://sockscope/index.html',
      'http://127.0.0.1:5173/',
      'file:///opt/Sockscope/resources/app.asar/out/renderer/index.html',
      'app://sockscope.evil.example/index.html',
      'app://evil/index.html',
      'app://sockscope:8080/index.html',
      'app://user:pw@sockscope/index.html',
      'app://SOCKSCOPE/index.html',
      'devtools://devtools/bundled/inspector.html',
      'about:blank',
      'data:text/html,<script>1</script>',
      'javascript:alert(1)',
      '',
      'not a url',
    ]) {
      expect(isTrustedSender(top(url)), url).toBe(false);
    }
  });

  it('does not rely on URL.origin, which Node reports as "null" for app://', () => {
    expect(new URL('app://sockscope/index.html').origin).toBe('null');
    expect(isAppUrl('app://sockscope/index.html')).toBe(true);
  });
});
