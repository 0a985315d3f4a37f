/**
 * Names chosen by another local user can't forge the System sockets table, on the real thing:
 * real `ss`, a real peer process (Node) that renames itself to `a\nb‮gnp.exe` (newline and U+202E)
 * and listens on a loopback port, and holds abstract Unix sockets whose names spell a TCP
 * listener of sshd (pid 1) on another port, on a line of its own and inline. The table must show
 * no such TCP row, the Unix sockets and the real listener as held by the renamed process with its
 * name intact, and the "port already in use" explanation must name that process visibly.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { SystemSocketRow } from '../../../shared/system-sockets';
import { cleanupPeers, track } from '../../testing/cleanup';
import { freePort } from '../../testing/tcp-peers';
import { TestHost } from '../../testing/test-host';
import { waitFor } from '../../testing/wait';
import { SystemSocketsCollector } from '../collector';

const WAIT_MS = 10_000;
const HOSTILE_NAME = 'a\nb\u202Egnp.exe';
const hasSs = process.platform === 'linux' && !spawnSync('ss', ['-V']).error;

const hosts: TestHost[] = [];
afterEach(async () => {
  await cleanupPeers();
  await Promise.allSettled(hosts.splice(0).map((h) => h.engine.shutdown()));
});

interface Peer {
  child: ChildProcess;
  pid: number;
  port: number;
  unixNames: string[];
}

/** The hostile peer: renames itself, binds the forged Unix names, listens on 127.0.0.1, says its port. */
async function startHostilePeer(fakePort: number, extraNames: readonly string[] = []): Promise<Peer> {
  const unixNames = [
    `\0x\ntcp   LISTEN 0 128 127.0.0.1:${fakePort} 0.0.0.0:* users:(("sshd",pid=1,fd=3))`,
    `\0y 1 * 0 users:(("sshd",pid=1,fd=3)) 127.0.0.1:${fakePort}`,
  ];
  const names = [...unixNames, ...extraNames];
  const script = `
    const fs = require('fs'); const net = require('net');
    fs.writeFileSync('/proc/self/comm', ${JSON.stringify(HOSTILE_NAME)});
    const names = ${JSON.stringify(names)};
    let pending = names.length + 1;
    const ready = () => { if (--pending === 0) console.log('PORT ' + tcp.address().port); };
    for (const name of names) net.createServer().listen(name, ready);
    const tcp = net.createServer().listen(0, '127.0.0.1', ready);
    setTimeout(() => process.exit(0), 50000);
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  track(() => {
    child.kill('SIGKILL');
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the peer did not listen: ${out}`)), WAIT_MS);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the peer exited (${code}): ${out}`));
    });
  });
  return { child, pid: child.pid as number, port, unixNames: unixNames.map((n) => `@${n.slice(1)}`) };
}

/** ss shows an abstract name as `@…`; libuv passes the whole sun_path, so NUL padding shows as `@`s. */
const isUnixNamed = (row: SystemSocketRow, name: string) =>
  row.proto === 'unix' && row.localAddress.startsWith(name) && /^@*$/.test(row.localAddress.slice(name.length));

async function snapshotWith(collector: SystemSocketsCollector, what: string, find: (rows: SystemSocketRow[]) => boolean): Promise<SystemSocketRow[]> {
  return waitFor(
    async () => {
      const { rows } = await collector.snapshot();
      return find(rows) ? rows : undefined;
    },
    what,
    WAIT_MS,
  );
}

describe.runIf(process.platform === 'linux')(
  hasSs ? 'hostile names on real ss (loopback only)' : 'hostile names on real ss (skipped: ss from iproute2 is not installed)',
  () => {
    it.runIf(hasSs)('no Unix socket name makes a TCP row; the listener’s owner is the renamed process, name intact', async () => {
      const fakePort = await freePort();
      const peer = await startHostilePeer(fakePort);
      const collector = new SystemSocketsCollector({ includeUnix: true });
      const rows = await snapshotWith(collector, 'the peer’s listener and Unix sockets', (all) =>
        all.some((r) => r.proto === 'tcp' && r.localPort === peer.port && r.processes.length > 0) &&
        peer.unixNames.every((name) => all.some((r) => isUnixNamed(r, name))),
      );

      expect(rows.filter((r) => r.proto !== 'unix' && r.localPort === fakePort)).toEqual([]);
      const listener = rows.find((r) => r.proto === 'tcp' && r.localAddress === '127.0.0.1' && r.localPort === peer.port);
      expect(listener).toMatchObject({ state: 'LISTEN', processes: [{ pid: peer.pid, name: HOSTILE_NAME }] });
      for (const name of peer.unixNames) {
        const unix = rows.filter((r) => isUnixNamed(r, name));
        expect(unix).toHaveLength(1);
        expect(unix[0]).toMatchObject({ state: 'LISTEN', processes: [{ pid: peer.pid, name: HOSTILE_NAME }] });
        expect(unix[0]?.inode).not.toBeNull();
      }
      // Every row the peer's names could have made up would carry pid 1 and sshd.
      expect(rows.filter((r) => r.processes.some((p) => p.pid === 1 && p.name === 'sshd') && r.localPort === fakePort)).toEqual([]);
    }, 30_000);

    it.runIf(hasSs)('a name that spells a whole Unix row of sshd on a line of its own adds no row that names sshd', async () => {
      const fakePath = `/run/fake-${process.pid}.sock`;
      const spelled = `\0z\nu_str LISTEN 0 0 ${fakePath} 7 * 0 users:(("sshd",pid=1,fd=3))\nu_str LISTEN 0 0 w`;
      const peer = await startHostilePeer(await freePort(), [spelled]);
      const collector = new SystemSocketsCollector({ includeUnix: true });
      const rows = await snapshotWith(collector, 'the peer’s Unix sockets', (all) =>
        peer.unixNames.every((name) => all.some((r) => isUnixNamed(r, name))),
      );
      expect(rows.filter((r) => r.localAddress.includes(fakePath))).toEqual([]);
      expect(rows.filter((r) => r.proto === 'unix' && r.processes.some((p) => p.name === 'sshd' && p.pid === 1))).toEqual([]);
      // The peer's own socket is still listed, owned by the peer (its path as the parser could read it).
      expect(rows.some((r) => r.proto === 'unix' && r.localAddress.startsWith('w') && r.processes.some((p) => p.pid === peer.pid))).toBe(true);
    }, 30_000);

    it.runIf(hasSs)('the "port in use" explanation names the real holder visibly, and nobody for the spelled port', async () => {
      const fakePort = await freePort();
      const peer = await startHostilePeer(fakePort);
      const h = new TestHost();
      hosts.push(h);
      // The table with Unix sockets on (as the UI asks for it): the holder lookup uses that collector.
      await waitFor(
        async () => {
          const view = await h.call('system-sockets:snapshot', { includeUnix: true });
          return view.rows.some((r) => r.proto === 'tcp' && r.localPort === peer.port && r.processes.length > 0) ? view : undefined;
        },
        'the peer in the table',
        WAIT_MS,
      );
      expect(await h.engine.portHolder(peer.port, 'tcp')).toBe(`a␊b⟨U+202E⟩gnp.exe (pid ${peer.pid})`);
      expect(await h.engine.portHolder(fakePort, 'tcp')).toBeNull();

      const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: peer.port });
      const snap = await waitFor(() => {
        const s = h.listener(endpointId);
        return s.error?.detail ? s : undefined;
      }, 'the holder in the explanation', WAIT_MS);
      expect(snap.error).toMatchObject({ code: 'EADDRINUSE', detail: `held by a␊b⟨U+202E⟩gnp.exe (pid ${peer.pid})` });
      expect(snap.error?.message).not.toMatch(/[\n\u202E]/);
    }, 30_000);
  },
);
