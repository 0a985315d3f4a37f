/**
 * Shared by the TCP engine tests: a real engine behind the real dispatcher, bounded waits, loopback
 * peers (raw Node sockets, socat, ncat, child processes) that are always cleaned up.
 */
import { spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';
import type { CommandName, CommandRequest, CommandResponse } from '../../shared/contract';
import type { ConnectionSnapshot, ConversationSnapshot, ListenerSnapshot } from '../../shared/endpoints';
import type { BridgeError } from '../../shared/errors';
import { createEngineHost, type EngineHost } from '../index';

export interface TestHost extends EngineHost {
  call<N extends CommandName>(name: N, payload: CommandRequest<N>): Promise<CommandResponse<N>>;
  fail<N extends CommandName>(name: N, payload: CommandRequest<N>): Promise<BridgeError>;
  listener(id: string): ListenerSnapshot;
  connection(id: string): ConnectionSnapshot;
  conversation(id: string): ConversationSnapshot;
}

export function makeHost(): TestHost {
  const host = createEngineHost({ mode: 'browser', version: 'test', dataDir: null });
  const { engine, dispatch } = host;
  return {
    ...host,
    async call(name, payload) {
      const r = await dispatch(name, payload);
      if (!r.ok) throw new Error(`${name} failed: ${r.error.code} ${r.error.message}`);
      return r.value as never;
    },
    async fail(name, payload) {
      const r = await dispatch(name, payload);
      if (r.ok) throw new Error(`${name} unexpectedly succeeded: ${JSON.stringify(r.value)}`);
      return r.error;
    },
    listener(id) {
      const s = engine.requireEndpoint(id).snapshot();
      if (s.kind !== 'tcp-listener') throw new Error(`${id} is a ${s.kind}`);
      return s;
    },
    connection(id) {
      const s = engine.requireEndpoint(id).snapshot();
      if (s.kind !== 'tcp-connection') throw new Error(`${id} is a ${s.kind}`);
      return s;
    },
    conversation(id) {
      const s = engine.requireConversation(id).snapshot();
      if (!s) throw new Error(`${id} has no conversation snapshot`);
      return s;
    },
  };
}

/** Polls until `check` returns a value other than undefined/null/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== null && v !== false) return v;
      lastError = null;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(10);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Concatenated bytes of one direction of a conversation, read back through `traffic:page`. */
export async function trafficBytes(h: TestHost, conversationId: string, dir: 'in' | 'out'): Promise<Buffer> {
  const page = await h.call('traffic:page', { conversationId, limit: 2000, full: true });
  return Buffer.concat(page.chunks.filter((c) => c.dir === dir).map((c) => Buffer.from(c.data, 'base64')));
}

export const b64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64');

export const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

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

/** Every peer a test starts is stopped by `cleanupPeers()` in afterEach. */
const cleanups: (() => void | Promise<void>)[] = [];
export function track(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
}
export async function cleanupPeers(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch {
      // best effort
    }
  }
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
    const h = makeHost();
    try {
      const { endpointId } = await h.call('tcp:listen', req);
      return h.listener(endpointId);
    } finally {
      await h.engine.shutdown();
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

/** One engine host per test that wants one, all shut down (with their peers) after each test. */
export function useTestHosts(): () => TestHost {
  let hosts: TestHost[] = [];
  afterEach(async () => {
    await cleanupPeers();
    await Promise.all(hosts.map((h) => h.engine.shutdown()));
    hosts = [];
  });
  return () => {
    const h = makeHost();
    hosts.push(h);
    return h;
  };
}
