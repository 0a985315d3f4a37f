/**
 * A restart brings back what a person set up: real engines on a real data folder, real sockets on
 * loopback. The first engine saves on shutdown; the second one, on the same folder, opens it again.
 */
import dgram from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ConnectionSnapshot, ListenerSnapshot, UdpSnapshot } from '../../shared/endpoints';
import { b64 } from '../testing/bytes';
import { afterThisTest, startHost, tempDataDir } from '../testing/session-host';
import type { TestHost } from '../testing/test-host';
import { sleep, waitFor } from '../testing/wait';

const listener = (h: TestHost, id: string) => h.endpoint(id) as ListenerSnapshot;
const udp = (h: TestHost, id: string) => h.endpoint(id) as UdpSnapshot;
const connection = (h: TestHost, id: string) => h.endpoint(id) as ConnectionSnapshot;
const portOf = (s: { local: ListenerSnapshot['local'] }) => (s.local?.kind === 'inet' ? s.local.port : -1);

/** A real client: resolves once the TCP handshake is done. */
function peerConnects(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve());
    s.on('error', reject);
    afterThisTest(() => s.destroy());
  });
}

/** Something else takes the port while Sockscope is not running. */
async function holdTcpPort(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, resolve);
  });
  afterThisTest(() => new Promise<void>((r) => server.close(() => r())));
  return server;
}

describe('restart and restore', () => {
  it('listeners and UDP endpoints open again on the same address and port; a peer connects', async () => {
    const dir = tempDataDir();
    const first = await startHost(dir);
    const { endpointId: l } = await first.call('tcp:listen', {
      bindAddress: '127.0.0.1',
      port: 0,
      backlog: 64,
      maxClients: 3,
      behaviour: { mode: 'auto-reply', reply: b64('pong\n'), trigger: 'line' },
    });
    const { endpointId: u } = await first.call('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
    await first.call('udp:configure', { endpointId: u, ttl: 17, broadcast: true });
    const tcpPort = portOf(listener(first, l));
    const udpPort = portOf(udp(first, u));
    await first.call('ui:save', { selectedEndpointId: u, workspaceTab: { [l]: 'timeline', [u]: 'charts' }, view: 'system-sockets' });
    await first.stop();

    const second = await startHost(dir);
    const snap = await second.snapshot();
    expect(snap.endpoints.map((e) => [e.kind, e.state])).toEqual([
      ['tcp-listener', 'listening'],
      ['udp', 'bound'],
    ]);
    const [l2, u2] = snap.endpoints.map((e) => e.id) as [string, string];
    expect(portOf(listener(second, l2))).toBe(tcpPort);
    expect(listener(second, l2).request.backlog).toBe(64);
    expect(listener(second, l2).maxClients).toBe(3);
    expect(listener(second, l2).behaviour).toEqual({ mode: 'auto-reply', reply: b64('pong\n'), trigger: 'line' });
    expect(portOf(udp(second, u2))).toBe(udpPort);
    expect(udp(second, u2)).toMatchObject({ ttl: 17, broadcast: true });

    // A real peer reaches the restored listener, and its behaviour answers.
    const answered = new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: tcpPort }, () => s.write('ping\n'));
      s.on('data', (d: Buffer) => resolve(d.toString()));
      s.on('error', reject);
      afterThisTest(() => s.destroy());
    });
    expect(await answered).toBe('pong\n');
    await waitFor(() => listener(second, l2).acceptedTotal === 1, 'the peer accepted');

    // The UI state follows the endpoints to their new ids.
    expect(snap.ui).toMatchObject({ view: 'system-sockets', selectedEndpointId: u2, workspaceTab: { [l2]: 'timeline', [u2]: 'charts' } });
  });

  it('connections come back closed, with their settings, and Reconnect connects them', async () => {
    const dir = tempDataDir();
    const server = await holdTcpPort(0);
    const port = (server.address() as { port: number }).port;
    let accepted = 0;
    server.on('connection', (s) => {
      accepted++;
      s.on('error', () => {});
    });

    const first = await startHost(dir);
    const { endpointId: c } = await first.call('tcp:connect', { host: '127.0.0.1', port, timeoutMs: 3000, noDelay: true, keepAlive: true });
    await waitFor(() => connection(first, c).state === 'established', 'connected');
    await first.stop();
    const before = accepted;

    const second = await startHost(dir);
    const [restored] = (await second.snapshot()).endpoints as ConnectionSnapshot[];
    expect(restored).toMatchObject({ kind: 'tcp-connection', state: 'closed', attempts: [], conversationId: null });
    expect(restored?.request).toMatchObject({ host: '127.0.0.1', port, timeoutMs: 3000, noDelay: true, keepAlive: true });
    await sleep(100);
    expect(accepted, 'a restored connection does not connect by itself').toBe(before);

    await second.call('tcp:reconnect', { endpointId: restored!.id });
    await waitFor(() => connection(second, restored!.id).state === 'established', 'reconnected');
    expect(accepted).toBe(before + 1);
  });

  it('with "reconnect on start" set in the session, connections connect again at once', async () => {
    const dir = tempDataDir();
    const server = await holdTcpPort(0);
    const port = (server.address() as { port: number }).port;
    server.on('connection', (s) => s.on('error', () => {}));
    const first = await startHost(dir);
    await first.call('tcp:connect', { host: '127.0.0.1', port });
    await first.call('session:configure', { reconnectOnStart: true });
    await first.stop();

    const second = await startHost(dir);
    const [c] = (await second.snapshot()).endpoints;
    expect(second.engine.session.status().reconnectOnStart).toBe(true);
    await waitFor(() => connection(second, c!.id).state === 'established', 'connected on start');
  });

  it('a port taken meanwhile shows EADDRINUSE in that workspace; Retry opens it once the port is free', async () => {
    const dir = tempDataDir();
    const first = await startHost(dir);
    const { endpointId: l } = await first.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } });
    const port = portOf(listener(first, l));
    await first.stop();

    const squatter = await holdTcpPort(port);
    const second = await startHost(dir);
    const [restored] = (await second.snapshot()).endpoints as ListenerSnapshot[];
    expect(restored).toMatchObject({ state: 'closed', local: null, error: { code: 'EADDRINUSE' } });
    expect(restored?.request).toMatchObject({ bindAddress: '127.0.0.1', port });

    // Still taken: Retry fails the same way, and the endpoint stays where it was.
    await second.call('endpoint:retry', { endpointId: restored!.id });
    expect(listener(second, restored!.id)).toMatchObject({ state: 'closed', error: { code: 'EADDRINUSE' } });

    await new Promise<void>((r) => squatter.close(() => r()));
    expect(await second.call('endpoint:retry', { endpointId: restored!.id })).toEqual({ endpointId: restored!.id });
    expect(listener(second, restored!.id)).toMatchObject({ state: 'listening', error: null, behaviour: { mode: 'echo' } });
    expect(portOf(listener(second, restored!.id))).toBe(port);
    await peerConnects(port);
    // Once open, there is nothing to retry.
    expect((await second.fail('endpoint:retry', { endpointId: restored!.id })).code).toBe('INVALID_STATE');
  });

  it('a UDP port taken meanwhile: Retry binds it and brings its socket options back', async () => {
    const dir = tempDataDir();
    const first = await startHost(dir);
    const { endpointId: u } = await first.call('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
    await first.call('udp:configure', { endpointId: u, ttl: 9, multicastLoopback: false });
    const port = portOf(udp(first, u));
    await first.stop();

    const squatter = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(port, '127.0.0.1', resolve));
    const second = await startHost(dir);
    const [restored] = (await second.snapshot()).endpoints as UdpSnapshot[];
    expect(restored).toMatchObject({ state: 'closed', error: { code: 'EADDRINUSE' } });

    // Saved while it could not bind: the options it had are not lost.
    await second.engine.session.flush();
    const saved = JSON.parse(second.engine.session.exportText()) as { endpoints: unknown[] };
    expect(saved.endpoints[0]).toMatchObject({ kind: 'udp', port, ttl: 9, multicastLoopback: false });

    await new Promise<void>((r) => squatter.close(() => r()));
    await second.call('endpoint:retry', { endpointId: restored!.id });
    expect(udp(second, restored!.id)).toMatchObject({ state: 'bound', ttl: 9, multicastLoopback: false, error: null });
    expect(portOf(udp(second, restored!.id))).toBe(port);
  });

  it('Retry is refused for a connection (it has Reconnect) and for an unknown endpoint', async () => {
    const h = await startHost(null);
    const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port: 9, timeoutMs: 500 });
    expect((await h.fail('endpoint:retry', { endpointId })).code).toBe('INVALID_STATE');
    expect((await h.fail('endpoint:retry', { endpointId: 'l99' })).code).toBe('NOT_FOUND');
  });

  it('saved messages and recent hosts (per protocol) survive a restart', async () => {
    const dir = tempDataDir();
    const server = await holdTcpPort(0);
    server.on('connection', (s) => s.on('error', () => {}));
    const tcpPort = (server.address() as { port: number }).port;
    const first = await startHost(dir);
    const { id } = await first.call('saved-messages:save', { name: 'Ping', group: 'Redis', format: 'text', content: 'PING\\r\\n', lineEnding: 'none' });
    const { endpointId: c } = await first.call('tcp:connect', { host: '127.0.0.1', port: tcpPort });
    await waitFor(() => connection(first, c).state === 'established', 'connected');
    const { endpointId: u } = await first.call('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
    await first.call('udp:send', { endpointId: u, host: '127.0.0.1', port: 9, data: b64('x') });
    await first.stop();

    const second = await startHost(dir);
    const snap = await second.snapshot();
    expect(snap.savedMessages).toEqual([{ id, name: 'Ping', group: 'Redis', format: 'text', content: 'PING\\r\\n', lineEnding: 'none' }]);
    expect(snap.recentHosts).toEqual({ tcp: [`127.0.0.1:${tcpPort}`], udp: ['127.0.0.1:9'], unix: [] });
  });

  it('changes are saved by themselves (debounced), not only on shutdown', async () => {
    const dir = tempDataDir();
    const first = await startHost(dir);
    await first.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    await first.call('saved-messages:save', { name: 'a', group: '', format: 'hex', content: '00 01', lineEnding: 'none' });
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const file = join(dir, 'session.json');
    const saved = await waitFor(() => {
      try {
        const s = JSON.parse(readFileSync(file, 'utf8')) as { endpoints: unknown[]; savedMessages: unknown[] };
        return s.endpoints.length === 1 && s.savedMessages.length === 1 ? s : null;
      } catch {
        return null;
      }
    }, 'the session file', 3000);
    expect(saved).toBeTruthy();
    // The process dies without a shutdown (kill -9): what was saved comes back.
    const second = await startHost(dir);
    expect((await second.snapshot()).endpoints).toHaveLength(1);
  });

  it('a removed endpoint is gone from the session', async () => {
    const dir = tempDataDir();
    const first = await startHost(dir);
    const { endpointId } = await first.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    await first.call('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
    await first.call('endpoint:remove', { endpointId });
    await first.stop();
    const second = await startHost(dir);
    expect((await second.snapshot()).endpoints.map((e) => e.kind)).toEqual(['udp']);
  });
});
