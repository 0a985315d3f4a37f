/**
 * Listener rules against real peers (curl, ncat, raw sockets): matching, captures, macros, first
 * match wins, default reply, delay, FIN/RST after, live edits, refusals, backpressure, and a
 * pathological regex that must neither hang nor starve the engine's other commands.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { RuleSetInput } from '../../shared/rules';
import { rawClient } from '../testing/tcp-peers';
import { type TestHost, useTestHosts } from '../testing/test-host';
import { sleep, waitFor } from '../testing/wait';

const host = useTestHosts();

async function listen(h: TestHost, rules: RuleSetInput): Promise<{ id: string; port: number }> {
  const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, rules });
  const local = h.listener(endpointId).local;
  if (local?.kind !== 'inet') throw new Error('not listening');
  return { id: endpointId, port: local.port };
}

function run(cmd: string, args: string[], input: string | null, timeoutMs = 10_000): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, encoding: 'latin1' }, (err, stdout) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') reject(err);
      else resolve({ stdout, code: err ? ((err as { code?: number }).code ?? null) : 0 });
    });
    child.stdin?.end(input ?? undefined);
  });
}

describe('listener rules', () => {
  it('answers an HTTP request from curl with a capture, then closes (FIN)', async () => {
    const h = host();
    const { port, id } = await listen(h, {
      frame: 'line',
      rules: [
        {
          match: { regex: '^GET (\\S+) HTTP/1\\.[01]$' },
          reply: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nyou asked for $1\n',
          close: true,
        },
      ],
    });
    const r = await run('curl', ['-s', '--max-time', '5', `http://127.0.0.1:${port}/hello/world`], null);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('you asked for /hello/world\n');
    expect(h.listener(id).ruleHits).toEqual({ rules: [1], default: 0 });
  });

  it('answers lines from ncat: exact, named capture, {{counter}}, first match wins, close after', async () => {
    const h = host();
    const { port, id } = await listen(h, {
      rules: [
        { match: { exact: 'PING' }, reply: '+PONG\\r\\n' },
        { match: { regex: '^hello (?P<who>\\w+)' }, reply: 'hi $<who> #{{counter}}\\n' },
        { match: { contains: 'hello' }, reply: 'never: the rule above wins\\n' },
        { match: { contains: 'bye' }, reply: 'ciao\\n', close: true },
      ],
    });
    const r = await run('ncat', ['127.0.0.1', String(port)], 'PING\r\nhello world\nbye now\nafter close\n');
    expect(r.stdout).toBe('+PONG\r\nhi world #2\nciao\n');
    expect(h.listener(id).ruleHits).toEqual({ rules: [1, 1, 0, 1], default: 0 });
  });

  it('sends the default reply when no rule matches, and the last bytes before FIN are a frame', async () => {
    const h = host();
    const { port } = await listen(h, { rules: [{ match: { exact: 'a' }, reply: 'A' }], defaultReply: '?$0' });
    const c = await rawClient(port);
    c.socket.end('a\nzz\nlast');
    await c.ended;
    expect(c.received().toString()).toBe('A?zz?last');
  });

  it('cuts frames by a delimiter and by a fixed size', async () => {
    const h = host();
    const byDelimiter = await listen(h, { frame: { delimiter: '||' }, rules: [{ match: { regex: '^(\\d+)$' }, reply: '<$1>' }] });
    const c1 = await rawClient(byDelimiter.port);
    c1.socket.end('12||x||345||');
    await c1.ended;
    expect(c1.received().toString()).toBe('<12><345>');
    const bySize = await listen(h, { frame: { size: 3 }, rules: [{ match: { regex: '^(.)' }, reply: '$1' }] });
    const c2 = await rawClient(bySize.port);
    c2.socket.end('abcdefgh');
    await c2.ended;
    expect(c2.received().toString()).toBe('adg');
  });

  it('waits the delay before replying, and aborts with RST after when asked', async () => {
    const h = host();
    const { port } = await listen(h, { rules: [{ match: { exact: 'slow' }, reply: 'done', delayMs: 300, abort: true }] });
    const c = await rawClient(port);
    c.socket.on('error', () => {});
    const start = Date.now();
    c.socket.write('slow\n');
    await c.closed;
    expect(Date.now() - start).toBeGreaterThanOrEqual(280);
    expect(c.received().toString()).toBe('done');
    expect(c.error?.code).toBe('ECONNRESET');
  });

  it('applies a live edit to what arrives next, and restarts the hit counters', async () => {
    const h = host();
    const { port, id } = await listen(h, { rules: [{ match: { exact: 'x' }, reply: 'old' }] });
    const c = await rawClient(port);
    c.socket.write('x\n');
    await waitFor(() => c.received().toString() === 'old', 'the first reply');
    await h.call('listener:configure', { endpointId: id, rules: { rules: [{ match: { exact: 'x' }, reply: 'new' }] } });
    expect(h.listener(id).ruleHits).toEqual({ rules: [0], default: 0 });
    c.socket.write('x\n');
    await waitFor(() => c.received().toString() === 'oldnew', 'the reply of the edited rule');
    // An empty rule set hands the conversation back to the behaviour (manual: silence).
    await h.call('listener:configure', { endpointId: id, rules: { rules: [] } });
    c.socket.write('x\n');
    await sleep(100);
    expect(c.received().toString()).toBe('oldnew');
  });

  it('refuses a bad regex, lookaround, an unknown capture and an oversize reply, saying why', async () => {
    const h = host();
    const bad = await h.fail('tcp:listen', { port: 0, rules: { rules: [{ match: { regex: '(unclosed' }, reply: '' }] } });
    expect(bad.code).toBe('VALIDATION');
    expect(bad.message).toMatch(/rules\.rules\[0\]\.match\.regex: not a valid RE2 regex: missing closing \)/);
    const look = await h.fail('tcp:listen', { port: 0, rules: { rules: [{ match: { regex: '^(?=a)(a+)+$' }, reply: '' }] } });
    expect(look.message).toMatch(/no lookaround or backreferences/);
    const capture = await h.fail('tcp:listen', { port: 0, rules: { rules: [{ match: { regex: '^(a)' }, reply: 'x $2' }] } });
    expect(capture.message).toMatch(/\$2 at position 3 names no capture/);
    const big = await h.fail('tcp:listen', { port: 0, rules: { rules: [{ match: { exact: 'a' }, reply: 'x'.repeat(64 * 1024 + 1) }] } });
    expect(big.code).toBe('VALIDATION');
    expect(big.message).toMatch(/at most 65536 characters/);
    const escape = await h.fail('tcp:listen', { port: 0, rules: { rules: [{ match: { exact: 'a' }, reply: 'bad \\q' }] } });
    expect(escape.message).toMatch(/Bad escape at position 5/);
    // Nothing was opened by the refused requests.
    expect(h.engine.snapshot().endpoints).toHaveLength(0);
  });

  it('stops reading from a peer that never reads its replies (bounded, no queue of replies)', async () => {
    const h = host();
    const { port } = await listen(h, { rules: [{ match: { contains: 'x' }, reply: 'y'.repeat(1000) }] });
    const c = await rawClient(port);
    c.socket.pause();
    const line = Buffer.from('x\n'.repeat(64 * 1024));
    let written = 0;
    // 16 MiB of lines would owe 8 GB of replies: the engine must stop reading long before.
    for (let i = 0; i < 128 && c.socket.writableLength < 4 * 1024 * 1024; i++) {
      c.socket.write(line);
      written += line.length;
    }
    await sleep(500);
    const conv = h.conversation(h.listener(h.engine.snapshot().endpoints[0]!.id).clientIds[0]!);
    expect(conv.stats.bytesIn).toBeLessThan(written);
    expect(conv.stats.queuedOut).toBeLessThan(2 * 1024 * 1024);
  });

  it('matches (a+)+$ against long lines in linear time while the engine keeps answering commands', async () => {
    const h = host();
    const { port, id } = await listen(h, {
      rules: [
        { match: { regex: '(a+)+$' }, reply: 'matched\\n' },
        { match: { exact: 'done' }, reply: 'done\\n' },
      ],
      defaultReply: 'no\\n',
    });
    const c = await rawClient(port);
    // 40 lines just under the regex frame limit, each ending in "!": the worst case for a
    // backtracking engine (V8 needs ~minutes for 28 a's), and a few ms each for RE2.
    const evil = `${'a'.repeat(16 * 1024 - 2)}!\n`;
    c.socket.write(evil.repeat(40) + 'aaaa\n' + `${'a'.repeat(100_000)}!\n` + 'done\n');
    let slowest = 0;
    const deadline = Date.now() + 20_000;
    while (!c.received().toString().endsWith('done\n') && Date.now() < deadline) {
      const t = performance.now();
      await h.call('app:info', {});
      slowest = Math.max(slowest, performance.now() - t);
      await sleep(5);
    }
    const lines = c.received().toString().split('\n').filter(Boolean);
    // 40 "no", then "matched" for aaaa, then the 100 000-byte line: cut into 64 KiB frames, too
    // long for the regex (default reply each), then "done".
    expect(lines.slice(0, 40).every((l) => l === 'no')).toBe(true);
    expect(lines[40]).toBe('matched');
    expect(lines.at(-1)).toBe('done');
    expect(slowest).toBeLessThan(150);
    expect(h.listener(id).ruleHits?.rules).toEqual([1, 1]);
    const notes = h.listener(id).timeline.filter((t) => t.call.endsWith('rules')).map((t) => t.result);
    expect(notes.some((n) => /longer than regex rules look at/.test(n))).toBe(true);
  });
});
