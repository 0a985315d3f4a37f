/**
 * The real thing on Linux: real `ss`, real sockets on 127.0.0.1 / ::1 only. A Node listener with
 * an established pair, a UDP socket on ::1, and a socat listener; the collector must find them
 * with the right states and PIDs, and after the active closer closes, show TIME_WAIT on its side.
 * socat must be installed (apt-get install -y socat): without it this test fails, it does not skip.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { SystemSocketRow, SystemSocketsSnapshot } from '../../../shared/system-sockets';
import { SystemSocketsSnapshot as SnapshotSchema } from '../../../shared/system-sockets';
import { SystemSocketsCollector } from '../collector';
import type { RunCommand } from '../run-command';
import { createRunCommand } from '../run-command';

const WAIT_MS = 8_000;
const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      cleanup();
    } catch {
      // best effort: a cleanup failing must not hide the test's own result
    }
  }
});

function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function listenNode(): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer();
  cleanups.push(() => server.close());
  await withTimeout(new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  }), 'a Node listener');
  return { server, port: (server.address() as net.AddressInfo).port };
}

async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  cleanups.push(() => socket.destroy());
  await withTimeout(new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  }), `a connection to 127.0.0.1:${port}`);
  return socket;
}

/** A port that was free a moment ago: bind to 0, read the port, close. Callers retry on collision. */
async function freePort(): Promise<number> {
  const { server, port } = await listenNode();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Snapshots until `find` returns something, or fails with the last rows for the record. */
async function waitForRows<T>(
  collector: SystemSocketsCollector,
  what: string,
  find: (rows: SystemSocketRow[]) => T | undefined,
): Promise<{ found: T; snapshot: SystemSocketsSnapshot }> {
  const deadline = Date.now() + WAIT_MS;
  let last: SystemSocketsSnapshot | null = null;
  while (Date.now() < deadline) {
    last = await collector.snapshot();
    const found = find(last.rows);
    if (found !== undefined) return { found, snapshot: last };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const dump = (last?.rows ?? []).map((r) => `${r.proto} ${r.localAddress}:${r.localPort} ${r.remoteAddress}:${r.remotePort} ${r.state} ${JSON.stringify(r.processes)}`);
  throw new Error(`timed out waiting for ${what}; last rows:\n${dump.join('\n')}`);
}

const row = (rows: SystemSocketRow[], localPort: number, remotePort: number | null, state?: SystemSocketRow['state']) =>
  rows.find(
    (r) =>
      r.proto === 'tcp' &&
      r.localAddress === '127.0.0.1' &&
      r.localPort === localPort &&
      r.remotePort === remotePort &&
      (state === undefined || r.state === state),
  );

/** socat on a free loopback port; retries when another process took the port in between. */
async function startSocat(collector: SystemSocketsCollector): Promise<{ child: ChildProcess; port: number; pid: number }> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const port = await freePort();
    const child = spawn('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, 'PIPE'], { stdio: 'ignore' });
    cleanups.push(() => child.kill('SIGKILL'));
    const spawned = await withTimeout(
      new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid ?? -1));
        child.once('error', (error: NodeJS.ErrnoException) =>
          reject(error.code === 'ENOENT' ? new Error('socat is not installed: apt-get install -y socat') : error),
        );
      }),
      'socat to start',
    );
    let exited = false;
    child.once('exit', () => (exited = true));
    // Listening, or gone because another process took the port meanwhile (then: next port).
    const { found } = await waitForRows(collector, `socat listening on ${port}`, (rows) => {
      if (row(rows, port, null, 'LISTEN')?.processes.some((p) => p.pid === spawned)) return 'listening';
      return exited ? 'exited' : undefined;
    });
    if (found === 'listening') return { child, port, pid: spawned };
  }
  throw new Error('socat could not listen on a free port in 5 attempts');
}

describe.runIf(process.platform === 'linux')('SystemSocketsCollector on this Linux machine (real ss)', () => {
  it(
    'finds Node and socat sockets with states and pids, then TIME_WAIT on the side that closed first',
    async () => {
      const collector = new SystemSocketsCollector({ timeoutMs: 10_000 });

      // Node: listener + established pair, both ends in this process
      const { server, port: nodePort } = await listenNode();
      const accepted = withTimeout(new Promise<net.Socket>((resolve) => server.once('connection', resolve)), 'accept');
      const client = await connect(nodePort);
      const serverSide = await accepted;
      cleanups.push(() => serverSide.destroy());
      const clientPort = client.localPort as number;

      // UDP on ::1
      const udp = dgram.createSocket('udp6');
      cleanups.push(() => udp.close());
      await withTimeout(new Promise<void>((resolve) => udp.bind(0, '::1', resolve)), 'a UDP bind');
      const udpPort = udp.address().port;

      // socat listener (its pid is the child's: no shell in between), and a Node client of it
      const socat = await startSocat(collector);
      const socatClient = await connect(socat.port);
      const socatClientPort = socatClient.localPort as number;

      const { snapshot: before } = await waitForRows(collector, 'all sockets', (rows) =>
        row(rows, nodePort, null, 'LISTEN') &&
        row(rows, clientPort, nodePort, 'ESTABLISHED') &&
        row(rows, nodePort, clientPort, 'ESTABLISHED') &&
        row(rows, socat.port, socatClientPort, 'ESTABLISHED') &&
        row(rows, socatClientPort, socat.port, 'ESTABLISHED') &&
        rows.some((r) => r.proto === 'udp' && r.localPort === udpPort)
          ? true
          : undefined,
      );
      SnapshotSchema.parse(before);
      expect(before.source).toMatch(/^ss -tuanpie$|^netstat -tunaep$/);
      const rows = before.rows;
      const me = [{ pid: process.pid, name: expect.any(String) }];
      expect(row(rows, nodePort, null, 'LISTEN')?.processes).toEqual(me);
      expect(row(rows, clientPort, nodePort)).toMatchObject({ state: 'ESTABLISHED', processes: me, family: 'inet' });
      expect(row(rows, nodePort, clientPort)?.processes).toEqual(me);
      expect(row(rows, socat.port, socatClientPort)?.processes).toEqual([{ pid: socat.pid, name: 'socat' }]);
      expect(row(rows, socatClientPort, socat.port)?.processes).toEqual(me);
      expect(rows.find((r) => r.proto === 'udp' && r.localPort === udpPort)).toMatchObject({
        family: 'inet6',
        localAddress: '::1',
        state: 'UNCONN',
        processes: me,
      });
      const uid = process.getuid?.() ?? null;
      expect(row(rows, clientPort, nodePort)?.uid).toBe(uid);
      expect(row(rows, clientPort, nodePort)?.inode).toBeGreaterThan(0);
      expect(row(rows, clientPort, nodePort)?.rttMs).not.toBeNull();

      // Node's client closes first: the client side goes to TIME_WAIT, the accepting side doesn't
      client.end();
      const { snapshot: afterNodeClose } = await waitForRows(collector, 'TIME_WAIT on the Node client', (r) =>
        row(r, clientPort, nodePort, 'TIME_WAIT'),
      );
      expect(row(afterNodeClose.rows, clientPort, nodePort, 'TIME_WAIT')).toMatchObject({ processes: [], inode: null });
      expect(row(afterNodeClose.rows, nodePort, clientPort, 'TIME_WAIT')).toBeUndefined();
      // Same key across the transition: the UI marks the row changed rather than closed + new
      const closedKey = row(before.rows, clientPort, nodePort)?.key as string;
      expect(row(afterNodeClose.rows, clientPort, nodePort, 'TIME_WAIT')?.key).toBe(closedKey);

      // socat closes first (it is terminated): TIME_WAIT is on socat's side of that pair
      socat.child.kill('SIGTERM');
      const { snapshot: afterSocatClose } = await waitForRows(collector, 'TIME_WAIT on the socat side', (r) =>
        row(r, socat.port, socatClientPort, 'TIME_WAIT'),
      );
      expect(row(afterSocatClose.rows, socatClientPort, socat.port, 'TIME_WAIT')).toBeUndefined();
      expect(afterSocatClose.rows.some((r) => r.processes.some((p) => p.pid === socat.pid))).toBe(false);
    },
    60_000,
  );

  it('reports limited visibility for an unprivileged user (as root: drops to nobody to look)', async () => {
    const root = process.getuid?.() === 0;
    const base = createRunCommand({ timeoutMs: 10_000 });
    // setpriv runs ss itself as uid/gid 65534: still execFile, still a fixed argument array.
    const run: RunCommand = root
      ? (command, args) => base('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', command, ...args])
      : base;
    const uid = root ? 65534 : (process.getuid?.() as number);
    const { port } = await listenNode();
    const collector = new SystemSocketsCollector({ run, getuid: () => uid });
    const { found: mine, snapshot } = await waitForRows(collector, 'our listener', (rows) => row(rows, port, null, 'LISTEN'));
    if (root) {
      // A root-owned socket seen by nobody: the process is hidden, the uid is not.
      expect(mine).toMatchObject({ processes: [], uid: 0 });
      expect(mine.inode).toBeGreaterThan(0);
      expect(snapshot.limitedVisibility).toBe(true);
    } else {
      expect(mine.processes.map((p) => p.pid)).toEqual([process.pid]);
      const hidden = snapshot.rows.some((r) => r.proto !== 'unix' && r.processes.length === 0 && r.inode !== null && r.uid !== uid);
      expect(snapshot.limitedVisibility).toBe(hidden);
    }
  });

  it('never runs two snapshots at once', async () => {
    const collector = new SystemSocketsCollector();
    const [a, b] = [collector.snapshot(), collector.snapshot()];
    expect(a).toBe(b);
    const snapshot = await withTimeout(a, 'a snapshot');
    expect(snapshot.rows.length).toBeGreaterThan(0);
    expect(collector.status()).toMatchObject({ snapshot, stale: false, refreshing: false });
  });
});
