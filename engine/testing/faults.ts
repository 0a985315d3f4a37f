/**
 * Shared by the fault suite: a process watch (unhandled rejections, uncaught exceptions,
 * MaxListenersExceededWarning), resource probes (open fds, our sockets in `ss`, memory after GC),
 * a control pair that proves other endpoints are unaffected, and loopback-only peers.
 */
import { execFile, spawn } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, expect } from 'vitest';
import { b64 } from './bytes';
import { cleanupPeers, track } from './cleanup';
import { trafficBytes } from './tcp-peers';
import { TestHost } from './test-host';
import { waitFor } from './wait';

export interface ProcessWatch {
  /** Everything that would have crashed (or warned about) the engine's process, in order. */
  readonly events: string[];
  dispose(): void;
}

/** Records what must never happen while the engine faces faults. */
export function watchProcess(): ProcessWatch {
  const events: string[] = [];
  const onRejection = (reason: unknown) => events.push(`unhandledRejection: ${describe(reason)}`);
  const onException = (err: unknown) => events.push(`uncaughtException: ${describe(err)}`);
  const onWarning = (w: Error) => {
    if (w.name === 'MaxListenersExceededWarning') events.push(`${w.name}: ${w.message}`);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  process.on('warning', onWarning);
  return {
    events,
    dispose() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      process.off('warning', onWarning);
    },
  };
}

function describe(v: unknown): string {
  return v instanceof Error ? `${v.name}: ${v.message}` : String(v);
}

export { openFds } from '../faults/soak-runner';

/** Lines of `ss -tanpH` / `ss -uanpH` that belong to this process: any state, TCP and UDP. */
export function ownSockets(): Promise<string[]> {
  return ownSocketsOf(process.pid);
}

/** TCP and UDP sockets (any state) that `ss` attributes to process `pid`. */
export async function ownSocketsOf(pid: number): Promise<string[]> {
  const mine = `pid=${pid},`;
  const lines: string[] = [];
  for (const flags of ['-tanpH', '-uanpH']) {
    const out = await new Promise<string>((resolve, reject) =>
      execFile('ss', [flags], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    lines.push(...out.split('\n').filter((l) => l.includes(mine)));
  }
  return lines;
}

/** TCP sockets on `port` (either end) and their states, from `ss -tanH` (no process needed). */
export async function tcpStatesOnPort(port: number): Promise<string[]> {
  const out = await new Promise<string>((resolve, reject) =>
    execFile('ss', ['-tanH'], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 5 && (f[3]!.endsWith(`:${port}`) || f[4]!.endsWith(`:${port}`)))
    .map((f) => f[0]!);
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Memory after full collections: what is really still held. */
export async function settledMemory(): Promise<{ rss: number; heap: number; buffers: number }> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, buffers: m.arrayBuffers };
}

export const MiB = 1024 * 1024;

/** A listener with echo and a connection to it: the "other endpoint" each fault must leave alone. */
export interface ControlPair {
  listenerId: string;
  connectionId: string;
  conversationId: string;
  /** Sends a fresh message and waits for its echo. */
  check(): Promise<void>;
}

export async function controlPair(h: TestHost): Promise<ControlPair> {
  const { endpointId: listenerId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } });
  const l = h.listener(listenerId);
  if (l.local?.kind !== 'inet') throw new Error(`control listener failed: ${JSON.stringify(l.error)}`);
  const { endpointId: connectionId } = await h.call('tcp:connect', { host: '127.0.0.1', port: l.local.port });
  const conversationId = await waitFor(() => h.connection(connectionId).conversationId, 'control pair established');
  let n = 0;
  return {
    listenerId,
    connectionId,
    conversationId,
    async check() {
      const msg = `control ${++n}\n`;
      const before = (await trafficBytes(h, conversationId, 'in')).length;
      await h.call('conversation:send', { conversationId, data: b64(msg) });
      await waitFor(async () => (await trafficBytes(h, conversationId, 'in')).subarray(before).toString() === msg, `control echo ${n}`);
      expect(h.listener(listenerId).state).toBe('listening');
      expect(h.connection(connectionId).state).toBe('established');
    },
  };
}

/** The engine still answers commands. */
export async function expectEngineUp(h: TestHost): Promise<void> {
  const info = await h.dispatch('app:info', {});
  expect(info.ok).toBe(true);
}


/** A Node child process running `script` (CommonJS), which prints one line (e.g. its port) when ready. */
export async function nodeChild(script: string, args: string[] = []) {
  const child = spawn(process.execPath, ['-e', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => {});
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  track(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const line = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`child did not start: ${err}`)), 5000);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(t);
        resolve(out.slice(0, nl));
      }
    });
    child.on('exit', () => reject(new Error(`child exited early: ${err}`)));
  });
  return { child, line, exited };
}

/**
 * The frame of every fault test: before it, a fresh engine with a control pair and a process
 * watch; after it, the engine still answers, the control pair still echoes, and nothing became an
 * unhandled rejection, an uncaught error or a MaxListenersExceededWarning.
 */
export function useFaultHarness(): { readonly h: TestHost; readonly control: ControlPair } {
  let h: TestHost;
  let control: ControlPair;
  let watch: ProcessWatch;
  beforeEach(async () => {
    watch = watchProcess();
    h = new TestHost();
    control = await controlPair(h);
  });
  afterEach(async () => {
    try {
      await expectEngineUp(h);
      await control.check();
    } finally {
      await cleanupPeers();
      await h.dispose();
      watch.dispose();
    }
    expect(watch.events, 'no unhandled rejection, uncaught error or MaxListenersExceededWarning').toEqual([]);
  });
  return {
    get h() {
      return h;
    },
    get control() {
      return control;
    },
  };
}
