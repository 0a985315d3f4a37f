import { describe, expect, it } from 'vitest';
import { exposureWarning, isLoopback, parseWebHostArgs } from './args';
import { allowedHosts, checkUpgrade, TOKEN_PROTOCOL_PREFIX } from './upgrade-gate';

const token = 'a'.repeat(48);
const hosts = allowedHosts('127.0.0.1', 5000);
const req = (over: { url?: string; host?: string; origin?: string; protocol?: string }) => ({
  url: over.url ?? `/ws?token=${token}`,
  headers: { host: over.host ?? '127.0.0.1:5000', origin: over.origin, 'sec-websocket-protocol': over.protocol },
});

describe('checkUpgrade', () => {
  it('lets in the right token from our own origin, by query or subprotocol', () => {
    expect(checkUpgrade(req({ origin: 'http://127.0.0.1:5000' }), token, hosts)).toEqual({ ok: true });
    expect(checkUpgrade(req({ url: '/ws', protocol: `sockscope.v1, ${TOKEN_PROTOCOL_PREFIX}${token}` }), token, hosts)).toEqual({ ok: true });
    expect(checkUpgrade(req({ host: 'localhost:5000', origin: 'http://localhost:5000' }), token, hosts)).toEqual({ ok: true });
  });
  it('refuses a missing or wrong token with 401', () => {
    expect(checkUpgrade(req({ url: '/ws' }), token, hosts)).toMatchObject({ ok: false, status: 401 });
    expect(checkUpgrade(req({ url: '/ws?token=b' }), token, hosts)).toMatchObject({ ok: false, status: 401 });
    expect(checkUpgrade(req({ url: `/ws?token=${token}x` }), token, hosts)).toMatchObject({ ok: false, status: 401 });
  });
  it('refuses foreign origins and DNS-rebinding Host headers with 403', () => {
    expect(checkUpgrade(req({ origin: 'http://evil.example' }), token, hosts)).toMatchObject({ ok: false, status: 403 });
    expect(checkUpgrade(req({ origin: 'https://127.0.0.1:5000' }), token, hosts)).toMatchObject({ ok: false, status: 403 });
    expect(checkUpgrade(req({ origin: 'null' }), token, hosts)).toMatchObject({ ok: false, status: 403 });
    expect(checkUpgrade(req({ host: 'evil.example:5000' }), token, hosts)).toMatchObject({ ok: false, status: 403 });
    expect(checkUpgrade(req({ host: '127.0.0.1:5001' }), token, hosts)).toMatchObject({ ok: false, status: 403 });
  });
});

describe('web host arguments', () => {
  it('parses the documented flags', () => {
    expect(parseWebHostArgs(['--port', '0', '--no-open'])).toEqual({ host: '127.0.0.1', port: 0, open: false, dataDir: null });
    expect(parseWebHostArgs(['--host', '::1', '--port', '8080', '--data-dir', '/tmp/x'])).toEqual({ host: '::1', port: 8080, open: true, dataDir: '/tmp/x' });
  });
  it('rejects bad ports and unknown flags', () => {
    expect(parseWebHostArgs(['--port', '70000'])).toHaveProperty('error');
    expect(parseWebHostArgs(['--port'])).toHaveProperty('error');
    expect(parseWebHostArgs(['--evil'])).toHaveProperty('error');
  });
  it('knows loopback from the rest', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.2', '::ffff:10.0.0.1', '127.0.0.1.evil.example', 'localhost.evil.example'].some(isLoopback)).toBe(false);
  });
  it('warns clearly before serving beyond loopback, and only then', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.2']) {
      expect(exposureWarning(host)).toMatch(new RegExp(`^WARNING: --host ${host.replace(/\./g, '\\.')} is not a loopback address: anyone who can reach this machine`));
    }
    for (const host of ['127.0.0.1', '::1', 'localhost']) expect(exposureWarning(host)).toBeNull();
  });
});
