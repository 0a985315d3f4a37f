/** The real browser-mode host (out/web/web-host.cjs) as a child process, with RSS sampling and a control channel. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

/**
 * The host runs as `npm run web` starts it (package.json): with V8's garbage collector on the main
 * thread only. Node allocates a fresh 64 KiB buffer for every read of an accepted socket (Node 20
 * has no `onread` buffer reuse for them), and that gigabyte a second of external memory makes V8
 * collect dozens of times a second; in the engine's heap its four parallel helper threads then
 * spent more CPU than the whole bare sink, on two cores shared with the sender (docs/benchmarks.md).
 */
const HOST_NODE_FLAGS = ['--single-threaded-gc'];

export interface Host {
  url: string;
  port: number;
  token: string;
  proc: ChildProcess;
  dataDir: string;
  stop(): Promise<void>;
}

/** `nodeArgs`: more Node options (e.g. `--require` an instrument); `ipc`: a Node IPC channel to the host. */
export async function startHost(opts: { profileDir?: string; nodeArgs?: string[]; ipc?: boolean } = {}): Promise<Host> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sockscope-bench-'));
  const nodeArgs = [...HOST_NODE_FLAGS, ...(opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : []), ...(opts.nodeArgs ?? [])];
  // Node raises its soft RLIMIT_NOFILE to the hard limit at startup, so 10,000 sockets fit when the hard limit allows.
  const proc = spawn(process.execPath, [...nodeArgs, 'out/web/web-host.cjs', '--port', '0', '--no-open', '--data-dir', dataDir], {
    stdio: opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`host did not start: ${out}`)), 20_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^Sockscope UI: (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    proc.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.once('exit', (code) => reject(new Error(`host exited (${code}): ${out}`)));
  });
  const u = new URL(url);
  return {
    url,
    port: Number(u.port),
    token: u.searchParams.get('token') ?? '',
    proc,
    dataDir,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((r) => proc.once('exit', () => r()));
        proc.kill('SIGINT');
        const t = setTimeout(() => proc.kill('SIGKILL'), 8000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** CPU time a process has used so far, user + system, all its threads, in ms (Linux /proc). */
export function cpuMs(pid: number): number {
  // After the command name (which may hold spaces, hence the last ')'): utime and stime, in clock ticks.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
}
/** USER_HZ: 100 on every Linux the project runs on (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

/** Resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak. */
export function sampleRss(pid: number, everyMs = 100): { stop(): number; peak(): number } {
  let peak = rssMiB(pid);
  const t = setInterval(() => {
    try {
      peak = Math.max(peak, rssMiB(pid));
    } catch {
      // the process is gone: keep the last peak
    }
  }, everyMs);
  return {
    peak: () => peak,
    stop: () => {
      clearInterval(t);
      return peak;
    },
  };
}

/**
 * A short-lived second client of the contract (same token, same WebSocket) for setup and reading
 * counters. It is closed during measurements, so only the page's UI client receives batches then.
 */
export class Control {
  private nextId = 1;
  private readonly pending = new Map<number, (r: { ok: boolean; value?: unknown; error?: { code: string; message: string } }) => void>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      if (!text.startsWith('{"type":"result"')) return; // batches are ignored
      const msg = JSON.parse(text) as { id: number; result: { ok: boolean; value?: unknown; error?: { code: string; message: string } } };
      this.pending.get(msg.id)?.(msg.result);
      this.pending.delete(msg.id);
    });
  }

  static async open(host: Host): Promise<Control> {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, ['sockscope.v1', `sockscope.token.${host.token}`]);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Control(ws);
  }

  async invoke<T = unknown>(command: string, payload: unknown = {}): Promise<T> {
    const id = this.nextId++;
    const result = await new Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ type: 'invoke', id, command, payload }));
    });
    if (!result.ok) throw new Error(`${command}: ${result.error?.code} ${result.error?.message}`);
    return result.value as T;
  }

  close(): void {
    this.ws.close();
  }
}

/** Runs `fn` with a control client that is closed afterwards. */
export async function withControl<T>(host: Host, fn: (c: Control) => Promise<T>): Promise<T> {
  const c = await Control.open(host);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}
