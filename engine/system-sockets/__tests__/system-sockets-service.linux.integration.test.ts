/**
 * The System sockets service through the real engine and dispatcher, real `ss`, real sockets on
 * 127.0.0.1 only: Sockscope's own listener, both ends of its connection to it, and after the close
 * the TIME_WAIT row on the closing side are marked with the right endpoint; EADDRINUSE names the
 * process (socat) that holds the port. socat must be installed: without it this test fails.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { SystemSocketsRowView, SystemSocketsView } from '../../../shared/system-sockets';
import { SystemSocketsView as ViewSchema } from '../../../shared/system-sockets';
import { cleanupPeers, track } from '../../testing/cleanup';
import { freePort } from '../../testing/tcp-peers';
import { TestHost } from '../../testing/test-host';
import { waitFor } from '../../testing/wait';

const WAIT_MS = 10_000;
const hosts: TestHost[] = [];

afterEach(async () => {
  await cleanupPeers();
  await Promise.allSettled(hosts.splice(0).map((h) => h.engine.shutdown()));
});

function host(): TestHost {
  const h = new TestHost();
  hosts.push(h);
  return h;
}

type Find<T> = (rows: SystemSocketsRowView[]) => T | undefined | null | false;

/** Snapshots through the dispatcher until `find` matches; every answer must satisfy the schema. */
async function waitForView<T>(h: TestHost, what: string, find: Find<T>): Promise<{ found: T; view: SystemSocketsView }> {
  let last: SystemSocketsView | null = null;
  try {
    return await waitFor(
      async () => {
        last = ViewSchema.parse(await h.call('system-sockets:snapshot', {}));
        const found = find(last.rows);
        return found ? { found, view: last } : undefined;
      },
      what,
      WAIT_MS,
    );
  } catch (error) {
    const rows = (last as SystemSocketsView | null)?.rows ?? [];
    const dump = rows
      .filter((r) => r.proto === 'tcp')
      .map((r) => `${r.localAddress}:${r.localPort} ${r.remoteAddress}:${r.remotePort} ${r.state} ${JSON.stringify(r.processes)} own=${JSON.stringify(r.own)}`);
    throw new Error(`${String(error)}\nlast tcp rows:\n${dump.join('\n')}`);
  }
}

const tcpRow = (rows: SystemSocketsRowView[], localPort: number, remotePort: number | null, state?: SystemSocketsRowView['state']) =>
  rows.find(
    (r) =>
      r.proto === 'tcp' &&
      r.localAddress === '127.0.0.1' &&
      r.localPort === localPort &&
      (remotePort === null ? r.remotePort === null || r.remotePort === 0 : r.remotePort === remotePort) &&
      (state === undefined || r.state === state),
  );

function startSocat(args: string[]): ChildProcess {
  const child = spawn('socat', args, { stdio: 'ignore' });
  track(() => {
    child.kill('SIGKILL');
  });
  child.once('error', () => {});
  return child;
}

describe.runIf(process.platform === 'linux')('system-sockets:snapshot through the engine (real ss, loopback only)', () => {
  it('marks our LISTEN row, both ends of our own connection, and our TIME_WAIT after we close first', async () => {
    const h = host();
    const { endpointId: l1 } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    const port = await waitFor(() => {
      const s = h.listener(l1);
      return s.local?.kind === 'inet' && s.state === 'listening' ? s.local.port : undefined;
    }, 'listening');
    const { endpointId: c1 } = await h.call('tcp:connect', { host: '127.0.0.1', port });
    const conn = await waitFor(() => {
      const s = h.connection(c1);
      return s.state === 'established' && s.local?.kind === 'inet' ? s : undefined;
    }, 'established');
    const clientPort = conn.local?.kind === 'inet' ? conn.local.port : -1;
    const c1Conversation = conn.conversationId as string;
    const accepted = await waitFor(() => h.listener(l1).clientIds[0], 'accepted client');

    const { view } = await waitForView(h, 'the listener and the pair', (rows) =>
      tcpRow(rows, port, null, 'LISTEN') && tcpRow(rows, clientPort, port, 'ESTABLISHED') && tcpRow(rows, port, clientPort, 'ESTABLISHED'),
    );
    expect(view.enginePid).toBe(process.pid);
    expect(view.stale).toBe(false);
    expect(view.error).toBeNull();
    expect(view.limitedVisibility).toBeNull();
    expect(tcpRow(view.rows, port, null, 'LISTEN')?.own).toEqual({ endpointId: l1, conversationId: null });
    expect(tcpRow(view.rows, clientPort, port, 'ESTABLISHED')?.own).toEqual({ endpointId: c1, conversationId: c1Conversation });
    expect(tcpRow(view.rows, port, clientPort, 'ESTABLISHED')?.own).toEqual({ endpointId: l1, conversationId: accepted });
    // Nothing of anyone else's is marked, and our own process's other sockets only when they are endpoints.
    const marked = view.rows.filter((r) => r.own !== null);
    expect(marked).toHaveLength(3);
    for (const r of marked) expect(r.processes.map((p) => p.pid)).toEqual([process.pid]);

    // We close first (c1 sends FIN), then the listener's side closes: TIME_WAIT is on c1's side.
    await h.call('endpoint:close', { endpointId: c1 });
    await waitFor(() => h.conversation(accepted).state === 'peer-closed' || h.conversation(accepted).state === 'closed', 'peer FIN seen');
    if (h.conversation(accepted).state !== 'closed') await h.call('conversation:shutdown', { conversationId: accepted });
    const { found: timeWait } = await waitForView(h, 'TIME_WAIT on our closing side', (rows) => tcpRow(rows, clientPort, port, 'TIME_WAIT'));
    expect(timeWait.processes).toEqual([]);
    expect(timeWait.own).toEqual({ endpointId: c1, conversationId: c1Conversation });
  }, 60_000);

  it('EADDRINUSE on a TCP port held by socat names socat and its pid', async () => {
    const h = host();
    let port = 0;
    let socat: ChildProcess | null = null;
    // A port that was free a moment ago may be taken in between: try a few.
    for (let attempt = 0; attempt < 5 && !socat; attempt++) {
      port = await freePort();
      const child = startSocat([`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'PIPE']);
      const ok = await waitForView(h, `socat listening on ${port}`, (rows) => {
        if (child.exitCode !== null || child.signalCode !== null) return 'exited';
        return tcpRow(rows, port, null, 'LISTEN')?.processes.some((p) => p.pid === child.pid) ? 'listening' : undefined;
      });
      if (ok.found === 'listening') socat = child;
    }
    expect(socat, 'socat (apt-get install socat) listening on a loopback port').not.toBeNull();
    const pid = (socat as ChildProcess).pid as number;

    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port });
    const s = await waitFor(() => {
      const snap = h.listener(endpointId);
      return snap.error?.detail ? snap : undefined;
    }, 'the holder in the explanation', WAIT_MS);
    expect(s.state).toBe('closed');
    expect(s.error).toMatchObject({ code: 'EADDRINUSE', detail: `held by socat (pid ${pid})` });
    expect(s.error?.message).toContain(`socat (pid ${pid})`);
  }, 60_000);

  it('EADDRINUSE on a UDP port names socat, or our own UDP endpoint', async () => {
    const h = host();
    const port = await freePort();
    const socat = startSocat(['-u', `UDP-RECV:${port},bind=127.0.0.1`, 'STDOUT']);
    await waitForView(h, 'socat on UDP', (rows) =>
      rows.some((r) => r.proto === 'udp' && r.localPort === port && r.processes.some((p) => p.pid === socat.pid)),
    );
    const { endpointId } = await h.call('udp:bind', { bindAddress: '127.0.0.1', port });
    const snap = h.engine.requireEndpoint(endpointId).snapshot();
    expect(snap.error).toMatchObject({ code: 'EADDRINUSE', detail: `held by socat (pid ${socat.pid})` });

    const { endpointId: u1 } = await h.call('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
    const own = h.engine.requireEndpoint(u1).snapshot();
    const ownPort = own.local?.kind === 'inet' ? own.local.port : -1;
    const { endpointId: u2 } = await h.call('udp:bind', { bindAddress: '127.0.0.1', port: ownPort });
    expect(h.engine.requireEndpoint(u2).snapshot().error).toMatchObject({
      code: 'EADDRINUSE',
      detail: `held by Sockscope's own UDP endpoint ${u1}`,
    });
  }, 60_000);
});
