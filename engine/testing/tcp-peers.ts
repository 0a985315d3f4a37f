/**
 * TCP and Unix stream peers for the engine tests (raw Node sockets, child processes), each stopped
 * by `cleanupPeers()` after the test (useTestHosts does it), and a few TCP assertions.
 */
import { spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { CommandRequest } from '../../shared/contract';
import type { ListenerSnapshot } from '../../shared/endpoints';
import { track } from './cleanup';
import { TestHost } from './test-host';

/** Concatenated bytes of one direction of a conversation, read back through `traffic:page`. */
export async function trafficBytes(h: TestHost, conversationId: string, dir: 'in' | 'out'): Promise<Buffer> {
  const page = await h.call('traffic:page', { conversationId, limit: 2000, full: true });
  return Buffer.concat(page.chunks.filter((c) => c.dir === dir).map((c) => Buffer.from(c.data, 'base64')));
}

/** A raw Node client that collects everything it receives. */
export interface RawClient {
  socket: Socket;
  received(): Buffer;
  ended: Promise<void>;
  closed: Promise<void>;
  error: NodeJS.ErrnoException | null;
}

export function rawClient(port: number, host = '127.0.0.1', opts: { allowHalfOpen?: boolean; path?: string } = {}): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = opts.path
      ? connect({ path: opts.path, allowHalfOpen: opts.allowHalfOpen ?? true })
      : connect({ port, host, allowHalfOpen: opts.allowHalfOpen ?? true });
    const chunks: Buffer[] = [];
    let onEnd: () => void = () => {};
    let onClose: () => void = () => {};
    const client: RawClient = {
      socket,
      received: () => Buffer.concat(chunks),
      ended: new Promise((r) => (onEnd = r)),
      closed: new Promise((r) => (onClose = r)),
      error: null,
    };
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => onEnd());
    socket.on('close', () => onClose());
    socket.on('error', (e: NodeJS.ErrnoException) => {
      client.error = e;
      reject(e);
    });
    socket.once('connect', () => resolve(client));
    track(() => {
      socket.destroy();
    });
  });
}

/** A port that was free a moment ago on 127.0.0.1 (for peers that cannot report port 0). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, host, () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export function expectTimelineCalls(calls: string[], expected: string[]): void {
  let i = 0;
  for (const c of calls) if (c === expected[i]) i++;
  expect(i, `timeline ${JSON.stringify(calls)} should contain, in order, ${JSON.stringify(expected)}`).toBe(expected.length);
}

/**
 * Runs `tcp:listen` through a real engine as an unprivileged user and returns the endpoint's
 * snapshot. As root that means a child process under `setpriv` as `nobody` (the kernel then
 * refuses privileged ports exactly as for any normal user); otherwise it runs in this process.
 */
export async function runListenAsNobody(req: CommandRequest<'tcp:listen'>): Promise<ListenerSnapshot> {
  if (process.getuid?.() !== 0) {
    const h = new TestHost();
    try {
      const { endpointId } = await h.call('tcp:listen', req);
      return h.listener(endpointId);
    } finally {
      await h.dispose();
    }
  }
  const indexPath = fileURLToPath(new URL('../index.ts', import.meta.url));
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  const script = `
    const { createEngineHost } = await import(${JSON.stringify(indexPath)});
    const { engine, dispatch } = createEngineHost({ mode: 'browser', version: 'test', dataDir: null });
    const r = await dispatch('tcp:listen', ${JSON.stringify(req)});
    if (!r.ok) { console.error(JSON.stringify(r.error)); process.exit(2); }
    process.stdout.write(JSON.stringify(engine.requireEndpoint(r.value.endpointId).snapshot()));
    await engine.shutdown();
  `;
  const p = spawn(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: '/tmp' } },
  );
  const out: Buffer[] = [];
  let err = '';
  p.stdout.on('data', (d: Buffer) => out.push(d));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`unprivileged engine did not finish in 15 s: ${err}`));
    }, 15_000);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  if (code !== 0) throw new Error(`unprivileged engine exited with ${code}: ${err}`);
  return JSON.parse(Buffer.concat(out).toString()) as ListenerSnapshot;
}

/** A separate Node process listening on 127.0.0.1 (a port holder the OS table names `node (pid N)`). */
export async function nodeListener(): Promise<{ port: number; pid: number }> {
  const child = spawn(
    process.execPath,
    ['-e', `const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  track(() => {
    child.kill('SIGKILL');
  });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the node listener did not start')), 5000);
    child.stdout.once('data', (d: Buffer) => {
      clearTimeout(t);
      resolve(Number(String(d).trim()));
    });
  });
  return { port, pid: child.pid ?? 0 };
}

/** A child process listening with backlog 1 whose event loop is blocked: it never accepts. */
export async function fullQueueListener(): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('net').createServer();
       s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
         process.stdout.write(String(s.address().port) + '\\n');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
       });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  track(() => {
    child.kill('SIGKILL');
  });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('blocked listener did not start')), 5000);
    child.stdout!.once('data', (d: Buffer) => {
      clearTimeout(t);
      resolve(Number(String(d).trim()));
    });
  });
  // Fill the accept queue (backlog 1 holds up to 2 on Linux) until a connect no longer completes.
  for (let i = 0; i < 8; i++) {
    const completed = await new Promise<boolean>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' });
      s.on('error', () => {});
      track(() => {
        s.destroy();
      });
      const t = setTimeout(() => resolve(false), 300);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (!completed) return port;
  }
  throw new Error('the accept queue never filled up');
}
