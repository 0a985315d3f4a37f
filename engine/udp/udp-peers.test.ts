/** Behaviours, reply-to-sender and multicast against external peers (socat, ncat) on loopback. */
import { existsSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { b64 } from '../testing/bytes';
import { TestHost } from '../testing/test-host';
import { peer, tool } from '../testing/udp-peers';
import { sleep, waitFor } from '../testing/wait';

let t: TestHost;
beforeAll(() => {
  // Real peers are part of these tests: missing tools are a setup error, not a reason to skip.
  for (const bin of ['/usr/bin/socat', '/usr/bin/ncat']) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: apt-get install -y socat ncat`);
  }
});
beforeEach(() => {
  t = new TestHost();
});
afterEach(async () => {
  await t.dispose();
});

const portOf = (s: { local: { kind: string; port?: number } | null }) => (s.local?.kind === 'inet' ? (s.local.port ?? 0) : 0);

describe('behaviours', () => {
  it('echo answers each datagram of an external socat peer, to its sender', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } });
    const port = portOf(s);
    // socat sends each block read from stdin as one datagram and prints what comes back.
    const socat = tool(t, 'socat', ['-t', '5', '-', `UDP4:127.0.0.1:${port}`]);
    socat.child.stdin.write('ping one');
    await waitFor(() => socat.stdout().includes('ping one'), 'the first echo at socat', 5000);
    socat.child.stdin.write('ping two');
    await waitFor(() => socat.stdout().includes('ping two'), 'the second echo at socat', 5000);
    const got = t.traffic(s.id);
    expect(got.map((c) => [c.dir, Buffer.from(c.bytes).toString()])).toEqual([
      ['in', 'ping one'],
      ['out', 'ping one'],
      ['in', 'ping two'],
      ['out', 'ping two'],
    ]);
    const sender = got[0]?.peer;
    expect(sender).toMatchObject({ host: '127.0.0.1', family: 'IPv4' });
    expect(got.every((c) => JSON.stringify(c.peer) === JSON.stringify(sender))).toBe(true);
  });

  it('echo works for an ncat -u peer over IPv6 too', async () => {
    const s = await t.bind({ bindAddress: '::1', port: 0, behaviour: { mode: 'echo' } });
    const ncat = tool(t, 'ncat', ['-u', '::1', String(portOf(s))]);
    ncat.child.stdin.write('hello ncat\n');
    await waitFor(() => ncat.stdout().includes('hello ncat'), 'the echo at ncat', 5000);
    expect(t.traffic(s.id, 'in')[0]?.peer).toMatchObject({ host: '::1', family: 'IPv6' });
  });

  it('auto-reply answers a fixed reply; discard and manual answer nothing', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'auto-reply', reply: b64('pong') } });
    const port = portOf(s);
    const p = await peer(t);
    await p.send('ping', port);
    await waitFor(() => p.received.length === 1, 'the auto-reply');
    expect(p.received[0]?.data.toString()).toBe('pong');
    for (const mode of ['discard', 'manual'] as const) {
      await t.call('udp:configure', { endpointId: s.id, behaviour: { mode } });
      expect(t.udp(s.id).behaviour).toEqual({ mode });
      await p.send(`to ${mode}`, port);
      await waitFor(() => t.traffic(s.id, 'in').some((c) => Buffer.from(c.bytes).toString() === `to ${mode}`), `the datagram to ${mode}`);
    }
    await sleep(50);
    expect(p.received).toHaveLength(1);
  });
});

it('receives from an external ncat and replies to the sender it showed', async () => {
  const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
  const ncat = tool(t, 'ncat', ['-u', '127.0.0.1', String(portOf(s))]);
  ncat.child.stdin.write('hello from ncat\n');
  const [first] = await waitFor(() => {
    const got = t.traffic(s.id, 'in');
    return got.length > 0 && got;
  }, 'the datagram from ncat', 5000);
  expect(Buffer.from(first?.bytes ?? []).toString()).toBe('hello from ncat\n');
  const sender = first?.peer;
  if (sender?.kind !== 'inet') throw new Error('no sender');
  expect(sender.host).toBe('127.0.0.1');
  // "Reply to sender" is the UI filling Remote host / Remote port from the entry.
  const r = await t.call('udp:send', { endpointId: s.id, host: sender.host, port: sender.port, data: b64('reply to you\n') });
  expect(r.to).toBe(`127.0.0.1:${sender.port}`);
  await waitFor(() => ncat.stdout().includes('reply to you'), 'the reply at ncat', 5000);
});

describe('multicast', () => {
  it('IPv4: joins 239.1.2.3 on loopback, receives a group datagram, leaves', async () => {
    // Bound to the wildcard so group datagrams are delivered; everything travels on lo.
    const s = await t.bind({ bindAddress: '0.0.0.0', port: 0 });
    const port = portOf(s);
    await t.call('udp:membership', { endpointId: s.id, action: 'join', group: '239.1.2.3', iface: '127.0.0.1' });
    expect(t.udp(s.id).memberships).toEqual([{ group: '239.1.2.3', iface: '127.0.0.1' }]);
    expect(t.calls(s.id)).toContain('setsockopt(IP_ADD_MEMBERSHIP, 239.1.2.3, 127.0.0.1) → ok');
    const dup = await t.fail('udp:membership', { endpointId: s.id, action: 'join', group: '239.1.2.3', iface: '127.0.0.1' });
    expect(dup.code).toBe('INVALID_STATE');

    const socat = tool(t, 'socat', ['-u', '-', `UDP4-DATAGRAM:239.1.2.3:${port},ip-multicast-if=127.0.0.1`]);
    socat.child.stdin.end('to the group');
    await waitFor(() => t.traffic(s.id, 'in').length === 1, 'the group datagram', 5000);
    expect(Buffer.from(t.traffic(s.id, 'in')[0]?.bytes ?? []).toString()).toBe('to the group');
    expect(t.traffic(s.id, 'in')[0]?.peer).toMatchObject({ host: '127.0.0.1' });

    await t.call('udp:membership', { endpointId: s.id, action: 'leave', group: '239.1.2.3', iface: '127.0.0.1' });
    expect(t.udp(s.id).memberships).toEqual([]);
    expect(t.calls(s.id)).toContain('setsockopt(IP_DROP_MEMBERSHIP, 239.1.2.3, 127.0.0.1) → ok');
    expect((await t.fail('udp:membership', { endpointId: s.id, action: 'leave', group: '239.1.2.3', iface: '127.0.0.1' })).code).toBe(
      'INVALID_STATE',
    );
  });

  it('IPv6: joins and leaves ff15::1234 on lo (by name and as %zone)', async () => {
    const s = await t.bind({ bindAddress: '::1', port: 0 });
    await t.call('udp:membership', { endpointId: s.id, action: 'join', group: 'ff15::1234', iface: 'lo' });
    await t.call('udp:membership', { endpointId: s.id, action: 'join', group: 'ff15::1235', iface: '%lo' });
    expect(t.udp(s.id).memberships).toEqual([
      { group: 'ff15::1234', iface: 'lo' },
      { group: 'ff15::1235', iface: '%lo' },
    ]);
    expect(t.calls(s.id)).toContain('setsockopt(IPV6_JOIN_GROUP, ff15::1234, lo) → ok');
    await t.call('udp:membership', { endpointId: s.id, action: 'leave', group: 'ff15::1234', iface: 'lo' });
    expect(t.udp(s.id).memberships).toEqual([{ group: 'ff15::1235', iface: '%lo' }]);
    expect(t.calls(s.id)).toContain('setsockopt(IPV6_LEAVE_GROUP, ff15::1234, lo) → ok');
    await t.call('endpoint:close', { endpointId: s.id });
    expect(t.udp(s.id).memberships).toEqual([]);
  });

  it('explains a group that is not multicast, an unknown zone and an unknown interface', async () => {
    const s = await t.bind({ bindAddress: '::1', port: 0 });
    let e = await t.fail('udp:membership', { endpointId: s.id, action: 'join', group: '2001:db8::1', iface: 'lo' });
    expect(e.message).toMatch(/^ENOTMULTICAST: Not a multicast group/);
    e = await t.fail('udp:membership', { endpointId: s.id, action: 'join', group: 'ff15::1234', iface: '%nosuchif0' });
    expect(e.message).toMatch(/^EUNKNOWN_ZONE/);
    expect(t.udp(s.id).error?.code).toBe('EUNKNOWN_ZONE');
    const v4 = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    e = await t.fail('udp:membership', { endpointId: v4.id, action: 'join', group: '239.1.2.3', iface: 'nosuchif0' });
    expect(e.message).toMatch(/^ENODEV/);
    expect(t.udp(s.id).memberships).toEqual([]);
  });
});
