/**
 * Spawns the `sockscope` command as a real process: the same esbuild bundle `npm run build` makes
 * (written to a temporary folder, so the tests never touch out/), or `npm run --silent cli` itself.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleNodeEntry, REPO_ROOT } from '../engine/testing/node-bundle';

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching `re` (fails after `timeoutMs`). */
  line(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Exit status (a signal counts as a failure: null). */
  exit(timeoutMs?: number): Promise<number | null>;
}

let bundleDir: string | null = null;

/** Builds the CLI bundle once per test file (as scripts/build.mjs does). */
export async function bundleCli(): Promise<string> {
  bundleDir ??= mkdtempSync(join(tmpdir(), 'sockscope-cli-'));
  const outfile = join(bundleDir, 'sockscope.cjs');
  await bundleNodeEntry('cli/sockscope.ts', outfile);
  return outfile;
}

export function removeBundle(): void {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  bundleDir = null;
}

const running = new Set<ChildProcessWithoutNullStreams>();

/** Kills whatever a test left running: each child's own process group (npm's shell and node too). */
export function killLeftovers(): void {
  for (const c of running) {
    if (c.pid === undefined) continue;
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

export function startCli(command: string, args: string[], opts: { cwd?: string; stdin?: string; env?: NodeJS.ProcessEnv } = {}): CliProcess {
  // Its own process group, so a test that fails half-way can end all of it (see killLeftovers);
  // signals the tests send go to this one pid, as a person's `kill -INT` would.
  const child = spawn(command, args, { cwd: opts.cwd ?? REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...opts.env }, detached: true });
  running.add(child);
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.on('error', () => undefined);
  if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.on('exit', () => {
    for (const w of waiters.splice(0)) w();
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async line(re, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = out.split('\n').find((l) => re.test(l));
        if (found !== undefined) return found;
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`no line matching ${re} (exit ${child.exitCode}); stdout:\n${out}\nstderr:\n${err}`);
        }
        await new Promise<void>((r) => {
          const t = setTimeout(r, 100);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
    exit(timeoutMs = 20_000) {
      return Promise.race([
        exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`did not exit within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`)), timeoutMs).unref()),
      ]);
    },
  };
}
