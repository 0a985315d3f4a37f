/**
 * Stopping browser mode closes every socket and removes Unix socket files. The real host
 * (hosts/web/web-host.ts, bundled exactly as scripts/build.mjs bundles out/web/web-host.cjs, but
 * into a temporary folder so the test never runs a stale build) is started as a child process; a
 * WebSocket client with its token opens a Unix listener, a TCP listener, a connection and a UDP
 * endpoint; outside clients connect; then the host gets SIGINT (Ctrl-C) or SIGTERM.
 */
import { existsSync, lstatSync, mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CommandResult } from '../../shared/contract';
import { APP_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../hosts/web/upgrade-gate';
import { bundleWebHost, startWebHostProcess, type BundledWebHost, type WebHostProcess } from '../../hosts/web/web-test-support';
import { ownSocketsOf } from '../testing/faults';

let bundle: BundledWebHost;
let work: string;

beforeAll(async () => {
  bundle = await bundleWebHost('sockscope-shutdown-');
  work = bundle.work;
});

afterAll(() => {
  bundle.remove();
});

/** The host with a data folder of its own: a host restores the session it finds there, and each test starts empty. */
function startHost(): Promise<WebHostProcess> {
  return startWebHostProcess(bundle, ['--no-open', '--data-dir', mkdtempSync(join(work, 'data-'))]);
}

async function wsClient(url: URL) {
  const ws = new WebSocket(`ws://${url.host}/ws`, [APP_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${url.searchParams.get('token')}`]);
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const waiting = new Map<number, (r: CommandResult) => void>();
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { type: string; id?: number; result?: CommandResult };
    if (msg.type === 'result' && msg.id !== undefined) waiting.get(msg.id)?.(msg.result!);
  });
  let next = 1;
  const invoke = async (command: string, payload: unknown): Promise<unknown> => {
    const id = next++;
    const done = new Promise<CommandResult>((resolve) => waiting.set(id, resolve));
    ws.send(JSON.stringify({ type: 'invoke', id, command, payload }));
    const r = await done;
    if (!r.ok) throw new Error(`${command}: ${r.error.code} ${r.error.message}`);
    return r.value;
  };
  const snapshot = async () => (await invoke('app:snapshot', {})) as { endpoints: { id: string; state: string; local: { kind: string; port?: number } | null }[] };
  return { ws, invoke, snapshot };
}

/** An outside client that reports when its connection ends. */
function outsideClient(opts: { port: number; host: string } | { path: string }): Promise<{ ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const s = connect(opts as never);
    s.on('error', () => {});
    const ended = new Promise<void>((r) => s.on('close', () => r()));
    s.once('connect', () => resolve({ ended }));
    s.once('error', reject);
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

// Unix domain socket files and POSIX signals: not on Windows. `ss` is consulted on Linux only.
const linux = process.platform === 'linux';

describe.skipIf(process.platform === 'win32')('stopping browser mode', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} closes every socket, removes the Unix socket file and frees every port`, { timeout: 30_000 }, async () => {
      const host = await startHost();
      try {
        const c = await wsClient(host.url);
        const sockPath = join(work, `sockscope-${signal}.sock`);
        await c.invoke('tcp:listen', { path: sockPath });
        await c.invoke('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
        await c.invoke('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
        const snap = await c.snapshot();
        expect(snap.endpoints.map((e) => e.state)).toEqual(['listening', 'listening', 'bound']);
        const tcpPort = snap.endpoints[1]!.local!.port!;
        const udpPort = snap.endpoints[2]!.local!.port!;
        await c.invoke('tcp:connect', { host: '127.0.0.1', port: tcpPort });
        expect(lstatSync(sockPath).isSocket()).toBe(true);
        const unixClient = await outsideClient({ path: sockPath });
        const tcpClient = await outsideClient({ port: tcpPort, host: '127.0.0.1' });
        const webPort = Number(host.url.port);
        if (linux) expect((await ownSocketsOf(host.child.pid!)).length).toBeGreaterThanOrEqual(6);

        host.child.kill(signal);
        const { code } = await host.exited;
        expect(code).toBe(0);

        await Promise.all([unixClient.ended, tcpClient.ended]);
        expect(existsSync(sockPath), 'the Unix socket file is removed').toBe(false);
        expect(await portIsFree(tcpPort)).toBe(true);
        expect(await portIsFree(webPort)).toBe(true);
        if (linux) expect(await ownSocketsOf(host.child.pid!)).toEqual([]);
        // The UDP port is free again too.
        const dgram = await import('node:dgram');
        const u = dgram.createSocket('udp4');
        await new Promise<void>((resolve, reject) => {
          u.once('error', reject);
          u.bind(udpPort, '127.0.0.1', () => resolve());
        });
        await new Promise<void>((r) => u.close(() => r()));
        c.ws.terminate();
      } finally {
        if (host.child.exitCode === null && host.child.signalCode === null) host.child.kill('SIGKILL');
      }
    });
  }
});
