/**
 * Malformed HTTP and WebSocket handshakes, sent over raw TCP to the real browser-mode server (in
 * process, with a real engine): whatever the request line, target, headers or method, and whether
 * the request is complete or cut short, nothing throws out of a handler (no uncaught exception),
 * and right after each case the host still serves GET / with its CSP and an authenticated
 * WebSocket's app:info. fast-check prints the seed and the shrunk case on failure.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectHostServes, rawExchange, startTestHost, type WebTestHost } from './web-test-support';

let host: WebTestHost;
const uncaught: unknown[] = [];
const recordUncaught = (err: unknown) => uncaught.push(err);

beforeAll(async () => {
  process.on('uncaughtException', recordUncaught);
  // Short timeouts, so that a case the server waits on (a body never sent) ends quickly.
  host = await startTestHost({ requestTimeoutMs: 1_000, keepAliveTimeoutMs: 100 });
});

afterAll(async () => {
  process.off('uncaughtException', recordUncaught);
  await host?.close();
});

afterEach(() => {
  // Emptied each time, so one failure does not make every later test fail too.
  expect(uncaught.splice(0).map(String), 'exceptions thrown out of the server').toEqual([]);
});

/**
 * Sends `request` and waits for the server to answer and close (a cut-short request is followed by
 * our half-close, as a client that gives up; a whole one waits like a browser); then the host must
 * still serve.
 */
async function survives(request: string, whole = true): Promise<void> {
  const { serverClosed, answer } = await rawExchange(host.server.port, Buffer.from(request, 'utf8'), { timeoutMs: 3_000, keepOpen: whole });
  expect(uncaught.map(String), `after ${JSON.stringify(request.slice(0, 200))}`).toEqual([]);
  // A handshake that carried the real token may have become a session (which we then close).
  const becameSession = answer.startsWith('HTTP/1.1 101 ');
  expect(serverClosed || becameSession, 'the server closes a refused or finished request').toBe(true);
  await expectHostServes(host);
}

const upgradeHeaders = (port: number) =>
  `Host: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n`;

const withToken = (headers: string) => `GET /ws HTTP/1.1\r\n${headers}Sec-WebSocket-Protocol: sockscope.v1, sockscope.token.${host.server.token}\r\n\r\n`;

describe('request targets that once threw out of the upgrade handler, and handshakes ws must refuse', () => {
  it.each([
    ['GET //[ (the reported crash, without a token)', 'GET //[ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'],
    ['an upgrade to //[ with a valid handshake', () => `GET //[ HTTP/1.1\r\n${upgradeHeaders(host.server.port)}\r\n`],
    ['an upgrade to //[/ws?token=<the real token>', () => `GET //[/ws?token=${host.server.token} HTTP/1.1\r\n${upgradeHeaders(host.server.port)}\r\n`],
    ['an absolute-form target http://[::1', () => `GET http://[::1 HTTP/1.1\r\n${upgradeHeaders(host.server.port)}\r\n`],
    ['a lone %', () => `GET /ws?token=% HTTP/1.1\r\n${upgradeHeaders(host.server.port)}\r\n`],
    ['GET //[ for a page', 'GET //[ HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['GET /%zz for a page', 'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['GET /%00 for a page', 'GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['HEAD //[', 'HEAD //[ HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['the real token with a bad Sec-WebSocket-Key', () => withToken(upgradeHeaders(host.server.port).replace('dGhlIHNhbXBsZSBub25jZQ==', 'short'))],
    ['the real token with Sec-WebSocket-Version 8', () => withToken(upgradeHeaders(host.server.port).replace('Version: 13', 'Version: 8'))],
    ['the real token with POST', () => withToken(upgradeHeaders(host.server.port)).replace(/^GET/, 'POST')],
    ['the real token, then bytes that are no WebSocket frame', () => `${withToken(upgradeHeaders(host.server.port))}\0\xff\xff\xff garbage`],
  ])('%s', async (_name, request) => {
    await survives(typeof request === 'function' ? request() : request);
  });
});

describe('static files', () => {
  const get = (method: string, target: string) =>
    rawExchange(host.server.port, `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${host.server.port}\r\n\r\n`, { keepOpen: true });

  it.each([
    ['an absolute-form target', 'GET', 'http://127.0.0.1:1/index.html', 400],
    ['an asterisk-form target', 'GET', '*', 400],
    ['a malformed % escape', 'GET', '/%zz', 400],
    ['an escaped NUL', 'GET', '/index.html%00.js', 400],
    ['an escaped lone surrogate', 'GET', '/%ED%A0%80', 400],
    ['an escaped way out of the folder', 'GET', '/..%2f..%2fpackage.json', 403],
    ['a path that URL would read as an authority', 'GET', '//[', 404],
    ['a method other than GET and HEAD', 'OPTIONS', '/', 405],
  ])('answer %s with %i and close the connection', async (_name, method, target, status) => {
    const { answer, serverClosed } = await get(method, target);
    expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(serverClosed).toBe(true);
  });

  it('answer HEAD / with the headers of GET / and no body', async () => {
    const { answer } = await rawExchange(host.server.port, `HEAD / HTTP/1.1\r\nHost: 127.0.0.1:${host.server.port}\r\nConnection: close\r\n\r\n`, { keepOpen: true });
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toMatch(/\r\nContent-Security-Policy: default-src 'none'/);
    expect(answer.endsWith('\r\n\r\n')).toBe(true);
  });
});

/** Mostly plausible, so that most cases get past Node's parser to our handlers; sometimes anything. */
const likely = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>, weight = 4) => fc.oneof({ arbitrary: usual, weight }, { arbitrary: odd, weight: 1 });

const METHODS = ['HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH', 'PRI', 'PROPFIND', 'M-SEARCH', 'get', 'G\0T', ''];
const method = likely(
  fc.constant('GET'),
  fc.oneof(fc.constantFrom(...METHODS), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 })),
  2,
);
/** Pieces Node's parser lets through to our handlers (percent-encoded UTF-8 and bidi included)… */
const TARGET_PIECES = [
  '/', '//', '//[', '[', ']', '%', '%zz', '%2', '%00', '%2f..', '%2e%2e', '/..', 'ws', '/ws', '?', '?token=', '&token=', '#', '@', ':',
  'http://', 'http://[::1', 'http://127.0.0.1:1/', 'ws://[', '*', '\\', '"<>{}|^`', '%C3%A9', '%E2%80%AE', '%E2%81%A6', '%FF', '%ED%A0%80',
  '%0d%0a', 'index.html', '/ws?token=x',
];
/** …and raw bytes it should refuse itself: NUL, CR, LF, whitespace, UTF-8, bidi, a lone surrogate. */
const RAW_PIECES = ['\0', '\r', '\n', ' ', '\t', 'é', '\u202e', '\u2066', '\uffff', '\ud800'];
const pieces = fc
  .array(likely(fc.constantFrom(...TARGET_PIECES), fc.constantFrom(...RAW_PIECES), 12), { minLength: 0, maxLength: 8 })
  .map((p) => p.join(''));
const target = fc.oneof(
  { arbitrary: pieces.map((p) => `/${p}`), weight: 8 },
  { arbitrary: fc.constantFrom('/ws', '/ws?', '/ws?token=', '/ws?token=%', '/ws?token=%zz&token=', '/ws#', '/ws/', '/WS', '/ws?token=\0'), weight: 5 },
  { arbitrary: pieces, weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
  { arbitrary: fc.integer({ min: 2_000, max: 20_000 }).map((n) => `/${'a'.repeat(n)}`), weight: 1 },
);
const version = likely(fc.constant('HTTP/1.1'), fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1 x', 'http/1.1', ''), 8);
const header = (name: string) => (value: string) => `${name}: ${value}`;
const hostHeaders = (port: number) =>
  likely<string[]>(
    fc.constant([`Host: 127.0.0.1:${port}`]),
    fc.array(fc.constantFrom(`127.0.0.1:${port}`, `localhost:${port}`, 'evil.invalid', '', '[', `127.0.0.1:${port}, evil.invalid`).map(header('Host')), { maxLength: 2 }),
  );
const originHeaders = (port: number) =>
  fc.array(fc.constantFrom(`http://127.0.0.1:${port}`, 'http://evil.invalid', 'null', 'http://[', '\u202e', `http://localhost:${port}`).map(header('Origin')), { maxLength: 2 });
/** With the real token in some cases, so that ws's own handshake checks (key, version) are reached too. */
const wsHeaders = (token: string) => fc.record({
  upgrade: likely(fc.constant('Upgrade: websocket'), fc.constantFrom('Upgrade: WebSocket', 'Upgrade: h2c', 'Upgrade: ', '')),
  connection: likely(fc.constant('Connection: Upgrade'), fc.constantFrom('Connection: keep-alive, Upgrade', 'Connection: close', '')),
  key: likely(
    fc.constant('Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='),
    fc.constantFrom('Sec-WebSocket-Key: short', 'Sec-WebSocket-Key: ', 'Sec-WebSocket-Key: %%%%%%%%%%%%%%%%%%%%%%%%', ''),
  ),
  version: likely(fc.constant('Sec-WebSocket-Version: 13'), fc.constantFrom('Sec-WebSocket-Version: 8', 'Sec-WebSocket-Version: x', '')),
  protocol: fc.constantFrom(
    `Sec-WebSocket-Protocol: sockscope.v1, sockscope.token.${token}`,
    `Sec-WebSocket-Protocol: sockscope.token.${token}`,
    'Sec-WebSocket-Protocol: sockscope.v1',
    'Sec-WebSocket-Protocol: sockscope.v1, sockscope.token.wrong',
    'Sec-WebSocket-Protocol: ,,,',
    '',
  ),
});
const flood = likely(
  fc.constant<string[]>([]),
  fc.oneof(
    fc.integer({ min: 1, max: 2_500 }).map((n) => Array.from({ length: n }, (_, i) => `X-Flood-${i}: ${i}`)),
    fc.integer({ min: 1_000, max: 17_000 }).map((n) => [`X-Big: ${'b'.repeat(n)}`]),
    fc.array(fc.constantFrom('Content-Length: 5', 'Content-Length: -1', 'Content-Length: 99999999999', 'Transfer-Encoding: chunked', 'Transfer-Encoding: x'), { maxLength: 3 }),
  ),
  2,
);

const requestCase = (port: number, token: string) =>
  fc.record({
    method,
    target,
    version,
    eol: likely(fc.constant('\r\n'), fc.constant('\n'), 8),
    hosts: hostHeaders(port),
    origins: originHeaders(port),
    ws: fc.option(wsHeaders(token), { nil: undefined, freq: 2 }),
    flood,
    /** Bytes after the head: a body, or (with no Content-Length) the start of a pipelined request. */
    body: likely(fc.constant(''), fc.constantFrom('hello', '0\r\n\r\n', '\0\0\0', 'GET //[ HTTP/1.1\r\n\r\n')),
    /** Cut the request short (then close) at this fraction of its length; 1 = send it whole. */
    cut: likely(fc.constant(1), fc.integer({ min: 0, max: 99 }).map((n) => n / 100)),
  });

describe('fuzzed requests over raw TCP', () => {
  it('never take the host down, and it serves the next normal request and WebSocket', async () => {
    const port = host.server.port;
    await fc.assert(
      fc.asyncProperty(requestCase(port, host.server.token), async (c) => {
        const ws = c.ws ? [c.ws.upgrade, c.ws.connection, c.ws.key, c.ws.version, c.ws.protocol].filter(Boolean) : [];
        const lines = [`${c.method} ${c.target} ${c.version}`.trimEnd(), ...c.hosts, ...c.origins, ...ws, ...c.flood];
        const whole = `${lines.join(c.eol)}${c.eol}${c.eol}${c.body}`;
        await survives(whole.slice(0, Math.ceil(whole.length * c.cut)), c.cut === 1);
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});
