import { describe, expect, it } from 'vitest';
import { EXTERNAL_URL_ALLOW_LIST, isAllowedExternalUrl } from './external-links';

describe('isAllowedExternalUrl (the shell.openExternal allow-list)', () => {
  it('allows the listed https pages and pages below them', () => {
    expect(isAllowedExternalUrl('https://github.com/sockscope/sockscope')).toBe(true);
    expect(isAllowedExternalUrl('https://github.com/sockscope/sockscope/issues/new')).toBe(true);
    expect(isAllowedExternalUrl('https://github.com/sockscope/sockscope#readme')).toBe(true);
    expect(isAllowedExternalUrl('https://GITHUB.com/sockscope/sockscope')).toBe(true);
  });

  it('refuses other schemes: file, smb, custom handlers, javascript, data, plain http', () => {
    for (const url of [
      'http://github.com/sockscope/sockscope',
      'file:///etc/passwd',
      'file:///C:/Windows/System32/calc.exe',
      'smb://attacker/share/x.exe',
      'ms-msdt:/id PCWDiagnostic',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'ftp://github.com/sockscope/sockscope',
      'app://sockscope/index.html',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(false);
    }
  });

  it('refuses other hosts, look-alikes, credentials, ports and other paths', () => {
    for (const url of [
      'https://github.com/',
      'https://github.com/sockscope/sockscope-evil',
      'https://github.com/sockscope/sockscope/../../attacker/repo',
      'https://github.com/sockscope/sockscope/%2e%2e/%2e%2e/attacker',
      'https://github.com.attacker.example/sockscope/sockscope',
      'https://attacker.example/https://github.com/sockscope/sockscope',
      'https://github.com@attacker.example/sockscope/sockscope',
      'https://user:pw@github.com/sockscope/sockscope',
      'https://github.com:8443/sockscope/sockscope',
      'https://gist.github.com/sockscope/sockscope',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(false);
    }
  });

  it('refuses what a peer or an OS command could smuggle: control characters, spaces, backslashes, huge strings, non-strings', () => {
    for (const url of [
      'https://github.com/sockscope/sockscope\n',
      'https://github.com/sockscope/sockscope\tx',
      ' https://github.com/sockscope/sockscope',
      'https://github.com/sockscope/sockscope x',
      'https://github.com\\@attacker.example/sockscope/sockscope',
      'https://github.com/sockscope/sockscope\u0000',
      `https://github.com/sockscope/sockscope/${'a'.repeat(5000)}`,
      '',
    ]) {
      expect(isAllowedExternalUrl(url), JSON.stringify(url.slice(0, 80))).toBe(false);
    }
    for (const v of [null, undefined, 42, {}, ['https://github.com/sockscope/sockscope'], new URL('https://github.com/sockscope/sockscope')]) {
      expect(isAllowedExternalUrl(v)).toBe(false);
    }
  });

  it('is a fixed list of https hosts and paths, not patterns', () => {
    for (const a of EXTERNAL_URL_ALLOW_LIST) {
      expect(a.host).toMatch(/^[a-z0-9.-]+$/);
      expect(a.path).toMatch(/^\/[A-Za-z0-9/_-]*[^/]$/);
    }
  });
});
