/** The pure parts of the TCP engine: timeline bounds, behaviours, port and host resolution. */
import { describe, expect, it } from 'vitest';
import { explainError } from '../errors/explain-error';
import { parseAddressLiteral, resolveHost, stripBrackets } from '../net/resolve-host';
import { resolvePortSpec } from '../net/resolve-port';
import { BehaviourRunner, compileBehaviour, REPLY_BATCH_BYTES } from './behaviours';
import { bsdCall } from './conversation';
import { Timeline } from './timeline';

const clock = (() => {
  let t = 1000;
  return { now: () => t++ };
})();

describe('Timeline', () => {
  it('keeps the first calls and the newest ones, and says how many were dropped', () => {
    let changes = 0;
    const tl = new Timeline(clock, () => changes++, 20, 4);
    for (let i = 0; i < 100; i++) tl.add(`call${i}()`);
    const s = tl.snapshot();
    expect(s).toHaveLength(21);
    expect(s.slice(0, 4).map((e) => e.call)).toEqual(['call0()', 'call1()', 'call2()', 'call3()']);
    expect(s[4]!.call).toBe('… 80 earlier calls not kept');
    expect(s.slice(5).map((e) => e.call)).toEqual(Array.from({ length: 16 }, (_, i) => `call${84 + i}()`));
    expect(changes).toBe(100);
    expect(tl.length).toBe(20);
  });

  it('has no note when nothing was dropped, and settles pending entries', () => {
    const tl = new Timeline(clock);
    const p = tl.begin('connect(127.0.0.1:1)');
    expect(tl.snapshot()[0]).toMatchObject({ result: 'pending', ok: true });
    p.settle('ECONNREFUSED', false);
    expect(tl.snapshot()).toEqual([expect.objectContaining({ call: 'connect(127.0.0.1:1)', result: 'ECONNREFUSED', ok: false })]);
  });

  it('stays bounded under a long stream of calls', () => {
    const tl = new Timeline(clock);
    for (let i = 0; i < 100_000; i++) tl.add('accept()', String(i));
    const s = tl.snapshot();
    expect(s).toHaveLength(501);
    expect(s.at(-1)!.result).toBe('99999');
    expect(s[8]!.call).toBe('… 99500 earlier calls not kept');
  });
});

describe('behaviours', () => {
  function run(b: Parameters<typeof compileBehaviour>[0], chunks: string[]) {
    const compiled = compileBehaviour(b);
    const sent: string[] = [];
    let shutdowns = 0;
    const actions = {
      send: (x: Uint8Array) => void sent.push(Buffer.from(x).toString()),
      shutdown: () => void shutdowns++,
      writable: () => true,
      pauseReading: () => {},
      resumeReading: () => {},
    };
    const r = new BehaviourRunner(() => compiled);
    r.accepted(actions);
    for (const c of chunks) r.received(Buffer.from(c), actions);
    return { sent, shutdowns };
  }
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('manual and discard send nothing; echo sends each chunk back', () => {
    expect(run(undefined, ['a', 'b'])).toEqual({ sent: [], shutdowns: 0 });
    expect(run({ mode: 'discard' }, ['a'])).toEqual({ sent: [], shutdowns: 0 });
    expect(run({ mode: 'echo' }, ['a', 'bc'])).toEqual({ sent: ['a', 'bc'], shutdowns: 0 });
  });

  it('auto-reply per chunk, per line across chunk boundaries, and closing after the reply', () => {
    expect(run({ mode: 'auto-reply', reply: b64('R') }, ['a', 'b']).sent).toEqual(['R', 'R']);
    // Replies owed for one chunk go out as one write.
    expect(run({ mode: 'auto-reply', reply: b64('R'), trigger: 'line' }, ['ab', 'c\nd', 'e\nf\n']).sent).toEqual(['R', 'RR']);
    expect(run({ mode: 'auto-reply', reply: b64('R'), trigger: 'line', closeAfterReply: true }, ['q\nq\n', 'q\n'])).toEqual({
      sent: ['R'],
      shutdowns: 1,
    });
  });

  it('automatic modes close their side after the peer closed; manual never does', () => {
    const after = (mode: 'manual' | 'echo' | 'discard' | 'auto-reply') => {
      const compiled = compileBehaviour(mode === 'auto-reply' ? { mode, reply: b64('R') } : { mode });
      let shutdowns = 0;
      const r = new BehaviourRunner(() => compiled);
      r.peerEnded({ send: () => {}, shutdown: () => void shutdowns++, writable: () => true, pauseReading: () => {}, resumeReading: () => {} });
      return shutdowns;
    };
    expect([after('manual'), after('echo'), after('discard'), after('auto-reply')]).toEqual([0, 1, 1, 1]);
  });

  it('owes replies while the peer does not read: stops reading, sends in bounded batches once drained', () => {
    const compiled = compileBehaviour({ mode: 'auto-reply', reply: b64('ok\n'), trigger: 'line' });
    let writable = false;
    const log: string[] = [];
    const sizes: number[] = [];
    const actions = {
      send: (x: Uint8Array) => void sizes.push(x.length),
      shutdown: () => void log.push('shutdown'),
      writable: () => writable,
      pauseReading: () => void log.push('pause'),
      resumeReading: () => void log.push('resume'),
    };
    const r = new BehaviourRunner(() => compiled);
    r.received(Buffer.alloc(100_000, 0x0a), actions);
    expect(sizes).toEqual([]);
    expect(log).toEqual(['pause']);
    // The peer reads again: the 100,000 replies go in batches of at most REPLY_BATCH_BYTES.
    writable = true;
    r.drained(actions);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(300_000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(REPLY_BATCH_BYTES);
    expect(log).toEqual(['pause', 'resume']);
    r.peerEnded(actions);
    expect(log.at(-1)).toBe('shutdown');
  });

  it('sends the banner first, whatever the mode', () => {
    expect(run({ mode: 'echo', banner: b64('220 hi\r\n') }, ['x']).sent).toEqual(['220 hi\r\n', 'x']);
  });

  it('refuses auto-reply without a reply', () => {
    expect(() => compileBehaviour({ mode: 'auto-reply' })).toThrow(/needs a reply/);
  });
});

describe('resolvePortSpec', () => {
  it('numbers and digit strings pass through; names resolve with a note', async () => {
    expect(await resolvePortSpec(5000, 'tcp')).toEqual({ port: 5000, note: null });
    expect(await resolvePortSpec('0', 'tcp')).toEqual({ port: 0, note: null });
    expect(await resolvePortSpec('whois', 'tcp')).toEqual({ port: 43, note: 'whois → 43/tcp' });
    expect(await resolvePortSpec('WHOIS', 'tcp')).toEqual({ port: 43, note: 'WHOIS → 43/tcp' });
    expect(await resolvePortSpec('http', 'tcp')).toEqual({ port: 80, note: 'http → 80/tcp' });
  });

  it('unknown names and out-of-range numbers are engine errors with explanations', async () => {
    await expect(resolvePortSpec('no-such-service-xyz', 'tcp')).rejects.toMatchObject({ code: 'EUNKNOWN_SERVICE' });
    await expect(resolvePortSpec('70000', 'tcp')).rejects.toMatchObject({ code: 'ERR_SOCKET_BAD_PORT' });
    await expect(resolvePortSpec('x', 'tcp', () => null)).rejects.toMatchObject({ code: 'EUNKNOWN_SERVICE' });
    expect(await resolvePortSpec('x', 'udp', (n, p) => (n === 'x' && p === 'udp' ? 9 : null))).toEqual({ port: 9, note: 'x → 9/udp' });
  });
});

describe('resolveHost', () => {
  it('passes literals through without a lookup, brackets removed', async () => {
    expect(await resolveHost('127.0.0.1')).toEqual({ host: '127.0.0.1', literal: true, addresses: [{ address: '127.0.0.1', family: 'IPv4' }] });
    expect(await resolveHost('[::1]')).toEqual({ host: '::1', literal: true, addresses: [{ address: '::1', family: 'IPv6' }] });
    expect(stripBrackets(' [fe80::1%lo] ')).toBe('fe80::1%lo');
  });

  it('keeps a zone id that names an interface, and refuses one that does not', () => {
    expect(parseAddressLiteral('fe80::1%lo')).toEqual({ address: 'fe80::1%lo', family: 'IPv6' });
    expect(parseAddressLiteral('fe80::1%25lo')).toEqual({ address: 'fe80::1%lo', family: 'IPv6' });
    expect(() => parseAddressLiteral('fe80::1%nosuchif0')).toThrow(expect.objectContaining({ code: 'EUNKNOWN_ZONE' }));
    expect(parseAddressLiteral('localhost')).toBeNull();
  });

  it('lists every address getaddrinfo returned, in its order', async () => {
    const r = await resolveHost('localhost');
    expect(r.literal).toBe(false);
    expect(r.addresses.length).toBeGreaterThan(0);
    for (const a of r.addresses) expect(['127.0.0.1', '::1']).toContain(a.address);
  });
});

describe('explanations the engine relies on', () => {
  it('words each failure for a person, with the address', () => {
    const e = (code: string) => Object.assign(new Error(code), { code });
    expect(explainError(e('EHOSTUNREACH'), { target: '10.9.9.9:80' }).message).toMatch(/^Host unreachable \(10\.9\.9\.9:80\): there is no route/);
    expect(explainError(e('ENETUNREACH'), { target: '[2001:db8::1]:80' }).message).toMatch(/^Network unreachable/);
    expect(explainError(e('EAI_AGAIN'), { target: 'example.com:80' }).message).toMatch(/Temporary DNS failure/);
    expect(explainError(e('ENOTFOUND'), { target: 'example.invalid:80' }).message).toMatch(/Host not found/);
    expect(explainError(e('ENOENT'), { target: '/x/y.sock', syscall: 'bind' }).message).toMatch(/folder/);
  });

  it('maps libuv syscall names to BSD calls', () => {
    expect(bsdCall('read')).toBe('recv()');
    expect(bsdCall('write')).toBe('send()');
    expect(bsdCall('shutdown')).toBe('shutdown(SHUT_WR)');
    expect(bsdCall('connect')).toBe('connect()');
  });
});
