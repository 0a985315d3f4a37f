/**
 * Send/expect scripts against real servers nobody here wrote: redis-server, socat and ncat peers
 * (echo, `wc -c` after our FIN, one that closes at once), over TCP, a Unix socket and UDP.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../testing/tcp-peers';
import { useTestHosts } from '../testing/test-host';
import { runScriptText, startPeer, startRedis, tcpReady } from '../testing/script-test-helpers';

const newHost = useTestHosts();

const echoTcp = async () => {
  const port = await freePort();
  await startPeer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'PIPE'], tcpReady(port));
  return port;
};

describe('scripts against real servers', () => {
  it('runs the UI contract’s PING/+PONG script against redis-server, with a capture used by a later step', async () => {
    const h = newHost();
    const port = await startRedis();
    const script = {
      connect: { host: '127.0.0.1', port },
      steps: [
        { send: 'PING\r\n' },
        { expect: '+PONG' },
        { send: 'INFO server\r\n' },
        { expect: { regex: 'redis_version:(\\d+)\\.', as: ['major'], timeoutMs: 2000 } },
        { send: 'ECHO v{{major}}\r\n' },
        { expect: { regex: '\\$\\d+\\r\\nv{{major}}\\r\\n' } },
        { close: true },
      ],
    };
    const { steps, end } = await runScriptText(h, JSON.stringify(script));
    expect(end.outcome, end.detail).toBe('passed');
    expect(end.expectsPassed).toBe(3);
    expect(steps.map((s) => `${s.path}:${s.kind}:${s.ok}`)).toEqual([
      'connect:connect:true',
      '0:send:true',
      '1:expect:true',
      '2:send:true',
      '3:expect:true',
      '4:send:true',
      '5:expect:true',
      '6:close:true',
    ]);
    expect(steps[4]?.captured).toEqual({ major: '7' });
    expect(steps[5]?.detail).toBe('sent 9 bytes: ECHO v7␍␊');
    expect(h.connection(end.endpointId as string).state).toBe('closed');
  });

  it('a YAML script: escapes in single-quoted text, repeat with {{counter}}, exact match', async () => {
    const h = newHost();
    const port = await echoTcp();
    const yaml = [
      'version: 1',
      'connect: { host: 127.0.0.1, port: ' + port + ' }',
      'steps:',
      '  - repeat:',
      '      times: 3',
      '      steps:',
      "        - send: 'n={{counter}}\\n'",
      "        - expect: { exact: 'n={{counter}}\\n', timeoutMs: 2000 }",
      '  - send: { hex: "41 42 0a" }',
      "  - expect: { exact: 'AB\\n' }",
      '  - close: true',
    ].join('\n');
    const { steps, end } = await runScriptText(h, yaml);
    expect(end.outcome, end.detail).toBe('passed');
    expect(end.expectsPassed).toBe(4);
    // In an expect, {{counter}} is the number of the last send: what it answers.
    expect(steps.filter((s) => s.kind === 'send').map((s) => s.detail)).toEqual([
      'sent 4 bytes: n=1␊',
      'sent 4 bytes: n=2␊',
      'sent 4 bytes: n=3␊',
      'sent 3 bytes: AB␊',
    ]);
    expect(steps.find((s) => s.kind === 'repeat')?.detail).toBe('repeated 3 times');
    expect(steps.filter((s) => s.path === '0.1').map((s) => s.iteration)).toEqual([[1], [2], [3]]);
  });

  it('a timed-out expect fails the run and says what was expected and what arrived, as text and hex', async () => {
    const h = newHost();
    const port = await echoTcp();
    const text = JSON.stringify({
      connect: { host: '127.0.0.1', port },
      steps: [{ send: 'hello\r\n' }, { expect: { contains: 'bye', timeoutMs: 300 } }, { send: 'never sent' }],
    });
    const started = Date.now();
    const { steps, end } = await runScriptText(h, text);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(end.outcome).toBe('failed');
    expect(end.expectsFailed).toBe(1);
    const failed = steps.find((s) => !s.ok);
    expect(failed?.path).toBe('1');
    expect(failed?.detail).toBe('expected contains "bye": nothing matched within 300 ms; received 7 bytes: "hello␍␊" (hex 68 65 6c 6c 6f 0d 0a)');
    expect(failed?.received).toEqual({ text: 'hello␍␊', hex: '68 65 6c 6c 6f 0d 0a', bytes: 7 });
    expect(steps.some((s) => s.path === '2')).toBe(false);
    expect(end.detail).toContain('step 1 (expect) failed');
  });

  it('shutdown sends our FIN: `wc -c` answers only once it sees end of input', async () => {
    const h = newHost();
    const port = await freePort();
    await startPeer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'EXEC:wc -c'], tcpReady(port));
    const text = JSON.stringify({
      connect: { host: '127.0.0.1', port },
      steps: [{ send: 'abcde' }, { shutdown: true }, { expect: { regex: '^\\s*(\\d+)\\s', as: ['n'] } }],
    });
    const { steps, end } = await runScriptText(h, text);
    expect(end.outcome, end.detail).toBe('passed');
    expect(steps.find((s) => s.kind === 'expect')?.captured).toEqual({ n: '5' });
  });

  it('a peer that closes first fails the expect at once, saying so (ncat sends a banner and closes)', async () => {
    const h = newHost();
    const port = await freePort();
    await startPeer('ncat', ['-l', '127.0.0.1', String(port), '--keep-open', '--sh-exec', 'printf banner'], tcpReady(port));
    const text = JSON.stringify({ connect: { host: '127.0.0.1', port }, steps: [{ expect: 'banner' }, { expect: { contains: 'more', timeoutMs: 10_000 } }] });
    const started = Date.now();
    const { steps, end } = await runScriptText(h, text);
    expect(end.outcome).toBe('failed');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(steps.find((s) => s.path === '1')?.detail).toMatch(/^expected contains "more": the peer closed its side \(FIN\) first|^expected contains "more": the connection closed first/);
  });

  it('over a Unix domain socket (socat) and over UDP (socat datagram echo)', async () => {
    const h = newHost();
    const dir = mkdtempSync(join(tmpdir(), 'sockscope-script-'));
    try {
      const path = join(dir, 'echo.sock');
      await startPeer('socat', [`UNIX-LISTEN:${path},fork`, 'PIPE'], async () => existsSync(path));
      const unix = await runScriptText(h, JSON.stringify({ connect: { path }, steps: [{ send: 'over unix\n' }, { expect: 'unix\n' }, { close: true }] }));
      expect(unix.end.outcome, unix.end.detail).toBe('passed');
      expect(unix.steps[0]?.detail).toContain('(unix)');

      const udpPort = await freePort();
      await startPeer('socat', [`UDP4-RECVFROM:${udpPort},bind=127.0.0.1,fork`, 'PIPE'], async () => true);
      await new Promise((r) => setTimeout(r, 200));
      const udp = await runScriptText(
        h,
        JSON.stringify({ connect: { host: '127.0.0.1', port: udpPort, udp: true }, steps: [{ send: 'datagram 1' }, { expect: { exact: 'datagram 1', timeoutMs: 2000 } }, { close: true }] }),
      );
      expect(udp.end.outcome, udp.end.detail).toBe('passed');
      expect(udp.steps[0]?.detail).toBe(`connected to 127.0.0.1:${udpPort} (udp)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a refused connection fails the run with the error code', async () => {
    const h = newHost();
    const port = await freePort();
    const { steps, end } = await runScriptText(h, JSON.stringify({ connect: { host: '127.0.0.1', port }, steps: [{ send: 'x' }] }));
    expect(end.outcome).toBe('failed');
    expect(steps[0]?.kind).toBe('connect');
    expect(steps[0]?.detail).toContain('ECONNREFUSED');
  });

  it('Stop ends a running script within 200 ms', async () => {
    const h = newHost();
    const port = await echoTcp();
    const events: string[] = [];
    const detach = h.engine.attachClient({ send: (b) => b.events.forEach((e) => e.type === 'script:ended' && events.push(e.end.outcome)) });
    try {
      const { runId } = await h.call('script:run', { text: JSON.stringify({ connect: { host: '127.0.0.1', port }, steps: [{ expect: { contains: 'never', timeoutMs: 60_000 } }] }) });
      await new Promise((r) => setTimeout(r, 200));
      const t = Date.now();
      await h.call('script:stop', { runId });
      while (events.length === 0 && Date.now() - t < 2000) await new Promise((r) => setTimeout(r, 5));
      expect(events).toEqual(['stopped']);
      expect(Date.now() - t).toBeLessThan(200);
    } finally {
      detach();
    }
  });
});

describe('bad input is refused before anything connects', () => {
  const cases: [string, string, RegExp][] = [
    ['not YAML', '{ steps: [', /^not valid YAML or JSON/],
    ['no steps', '{ "connect": { "host": "127.0.0.1", "port": 1 } }', /^steps: /],
    ['an unknown step', '{ "connect": { "host": "127.0.0.1", "port": 1 }, "steps": [ { "sned": "x" } ] }', /^steps\.0/],
    ['a newer version', '{ "version": 2, "steps": [ { "send": "x" } ] }', /script version 1; the file is version 2/],
    ['TLS over UDP', '{ "connect": { "host": "127.0.0.1", "port": 1, "tls": true, "udp": true }, "steps": [ { "send": "x" } ] }', /TLS runs over TCP, not UDP/],
    ['a regex that does not compile', '{ "connect": { "path": "/x" }, "steps": [ { "expect": { "regex": "(" } } ] }', /^steps\.0\.expect\.regex: not a valid RE2 regular expression/],
    ['a backreference (no bounded-time match)', '{ "connect": { "path": "/x" }, "steps": [ { "expect": { "regex": "(a)\\\\1" } } ] }', /RE2 has no lookaround or backreferences/],
    ['a repeat too large', '{ "connect": { "path": "/x" }, "steps": [ { "repeat": { "times": 1000000000, "steps": [ { "wait": 1 } ] } } ] }', /^steps\.0/],
  ];
  it.each(cases)('%s', async (_name, text, message) => {
    const h = newHost();
    const err = await h.fail('script:run', { text });
    expect(err.code).toBe('VALIDATION');
    expect(err.message).toMatch(message);
    expect(h.engine.listEndpoints()).toHaveLength(0);
  });

  it('a pathological regex against a long line answers in bounded time (RE2)', async () => {
    const h = newHost();
    const port = await echoTcp();
    const line = `${'a'.repeat(50_000)}!`;
    const started = Date.now();
    const { end, steps } = await runScriptText(
      h,
      JSON.stringify({ connect: { host: '127.0.0.1', port }, steps: [{ send: line }, { expect: { regex: '^(a+)+b$', timeoutMs: 1500 } }] }),
    );
    expect(end.outcome).toBe('failed');
    expect(steps.find((s) => s.kind === 'expect')?.detail).toContain('nothing matched within 1500 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
