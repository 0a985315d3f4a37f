/** UDP endpoint rules: the reply goes to each datagram's sender (a Node peer and socat). */
import { afterEach, describe, expect, it } from 'vitest';
import { TestHost } from '../testing/test-host';
import { peer, tool } from '../testing/udp-peers';
import { sleep, waitFor } from '../testing/wait';

let hosts: TestHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.map((h) => h.dispose()));
  hosts = [];
});
const portOf = (u: { local: unknown }) => (u.local as { port: number }).port;
const host = () => {
  const h = new TestHost();
  hosts.push(h);
  return h;
};

describe('UDP rules', () => {
  it('answers each sender with its own capture, and counts hits', async () => {
    const h = host();
    const u = await h.bind({
      bindAddress: '127.0.0.1',
      port: 0,
      rules: { rules: [{ match: { regex: '^PING (\\w+)$' }, reply: 'PONG $1 #{{counter}}' }], defaultReply: 'what?' },
    });
    const port = portOf(u);
    const a = await peer(h);
    const b = await peer(h);
    await a.send('PING alice\n', port);
    await waitFor(() => a.received.length === 1, 'the reply to a');
    await b.send('PING bob', port);
    await b.send('hello', port);
    await waitFor(() => b.received.length === 2, 'the replies to b');
    expect(a.received.map((r) => r.data.toString())).toEqual(['PONG alice #1']);
    expect(b.received.map((r) => r.data.toString())).toEqual(['PONG bob #2', 'what?']);
    expect(b.received[0]!.from.port).toBe(port);
    expect(h.udp(u.id).ruleHits).toEqual({ rules: [2], default: 1 });
  });

  it('replies to socat after the rule delay', async () => {
    const h = host();
    const u = await h.bind({ bindAddress: '127.0.0.1', port: 0, rules: { rules: [{ match: { exact: 'time?' }, reply: 'later\\n', delayMs: 200 }] } });
    const t = tool(h, 'socat', ['-T', '3', '-', `UDP:127.0.0.1:${portOf(u)}`]);
    const start = Date.now();
    t.child.stdin.write('time?\n');
    await waitFor(() => t.stdout() === 'later\n', 'socat to print the reply', 3000);
    expect(Date.now() - start).toBeGreaterThanOrEqual(190);
    t.child.stdin.end();
  });

  it('refuses close and abort, which UDP has no connection for; live edits apply', async () => {
    const h = host();
    const err = await h.fail('udp:bind', { bindAddress: '127.0.0.1', port: 0, rules: { rules: [{ match: { exact: 'x' }, reply: 'y', close: true }] } });
    expect(err.code).toBe('VALIDATION');
    expect(err.message).toMatch(/no connection to close/);
    const u = await h.bind({ bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } });
    const p = await peer(h);
    await p.send('one', portOf(u));
    await waitFor(() => p.received.length === 1, 'the echo');
    await h.call('udp:configure', { endpointId: u.id, rules: { rules: [{ match: { contains: 'o' }, reply: 'ruled' }] } });
    await p.send('two', portOf(u));
    await waitFor(() => p.received.length === 2, 'the rule reply');
    await sleep(50);
    expect(p.received.map((r) => r.data.toString())).toEqual(['one', 'ruled']);
  });
});
