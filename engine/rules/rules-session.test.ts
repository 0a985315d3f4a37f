/** Rules are a listener's and a UDP endpoint's settings: they survive a restart on the same data folder. */
import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { startHost, tempDataDir } from '../testing/session-host';
import { rawClient } from '../testing/tcp-peers';

describe('rules in the session', () => {
  it('come back after a restart, and answer again', async () => {
    const dir = tempDataDir();
    const first = await startHost(dir);
    const tcpRules = { frame: 'line' as const, rules: [{ match: { regex: '^hi (\\w+)' }, reply: 'hello $1\\n', close: true }] };
    const { endpointId: l } = await first.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    await first.call('listener:configure', { endpointId: l, rules: tcpRules });
    const { endpointId: u } = await first.call('udp:bind', { bindAddress: '127.0.0.1', port: 0, rules: { rules: [{ match: { exact: 'q' }, reply: 'a' }] } });
    const port = (first.endpoint(l).local as { port: number }).port;
    const udpPort = (first.endpoint(u).local as { port: number }).port;
    await first.stop();

    const second = await startHost(dir);
    const snap = await second.snapshot();
    const listener = snap.endpoints.find((e) => e.kind === 'tcp-listener');
    const udp = snap.endpoints.find((e) => e.kind === 'udp');
    expect(listener?.kind === 'tcp-listener' && listener.rules).toEqual(tcpRules);
    expect(listener?.local).toMatchObject({ port });
    const c = await rawClient(port);
    c.socket.write('hi there\n');
    await c.ended;
    expect(c.received().toString()).toBe('hello there\n');
    c.socket.destroy();

    const s = dgram.createSocket('udp4');
    const got = new Promise<string>((resolve) => s.once('message', (m) => resolve(m.toString())));
    s.send('q', udpPort, '127.0.0.1');
    expect(await got).toBe('a');
    s.close();
    expect(udp?.kind === 'udp' && udp.rules?.rules).toHaveLength(1);
  });
});
