/** Load generators as separate processes (bench/workers/*.mjs), each bounded in count and time. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', 'workers');

export interface Worker {
  proc: ChildProcess;
  /** Resolves with the n-th JSON line the worker prints. */
  line<T>(n?: number): Promise<T>;
  stop(): Promise<void>;
}

export function worker(name: string, args: (string | number)[], timeoutMs = 600_000): Worker {
  const proc = spawn(process.execPath, [join(dir, name), ...args.map(String)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: unknown[] = [];
  const waiters: (() => void)[] = [];
  let buf = '';
  proc.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (text.trim()) lines.push(JSON.parse(text));
      for (const w of waiters.splice(0)) w();
    }
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const kill = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  kill.unref();
  return {
    proc,
    async line<T>(n = 0): Promise<T> {
      while (lines.length <= n) {
        if (proc.exitCode !== null) throw new Error(`${name} exited (${proc.exitCode}) before printing line ${n}`);
        await Promise.race([new Promise<void>((r) => waiters.push(r)), exited]);
      }
      return lines[n] as T;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.stdin?.end();
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      clearTimeout(kill);
    },
  };
}
