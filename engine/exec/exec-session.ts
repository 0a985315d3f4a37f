/**
 * One client of an exec listener and its process: the socket's bytes go to the program's stdin,
 * its stdout comes back to the socket, each direction with backpressure (a program that never
 * reads makes us stop reading the client; a client that never reads makes us stop reading the
 * program). A FIN from the client is EOF on stdin; the client going away kills the process
 * (SIGTERM, then SIGKILL); the process exiting closes the client (FIN once its output is sent).
 * stderr is kept apart, the end of it only. Exit status and signal go to the socket-call timeline.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EXEC_LIMITS, type ExecInfo } from '../../shared/exec';
import { guarded, type FaultHandler } from '../fault-barrier';
import type { BehaviourActions, ConversationServer } from '../tcp/behaviours';

/** What the listener decided once for every client (validated, resolved). */
export interface ExecPlan {
  readonly argv: readonly string[];
  /** argv[0] resolved to an absolute path. */
  readonly program: string;
  readonly cwd: string;
  /** Processes at once: 1 for One at a time. */
  readonly slots: number;
}

/** The listener-wide side of a session: slots, and the environment for this client. */
export interface ExecSlots {
  request(s: ExecSession): void;
  release(s: ExecSession): void;
  withdraw(s: ExecSession): void;
}

/** After input, this long without output is worth a hint (stdio buffering when not on a terminal). */
export const QUIET_AFTER_INPUT_MS = 1000;

export class ExecSession implements ConversationServer {
  private state: ExecInfo['state'] = 'waiting';
  private position: number | null = null;
  private child: ChildProcessWithoutNullStreams | null = null;
  private actions: BehaviourActions | null = null;
  /** What arrived while waiting for a slot (reading is paused then, so at most a read or two). */
  private early: Buffer[] = [];
  private inputEnded = false;
  private exitCode: number | null = null;
  private signal: string | null = null;
  private stderr = Buffer.alloc(0);
  private stderrTotal = 0;
  private partialLine = false;
  private lastInputAt = 0;
  private lastOutputAt = 0;
  private gone = false;
  private killTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly plan: ExecPlan,
    private readonly env: NodeJS.ProcessEnv,
    private readonly slots: ExecSlots,
    /** Where a bug thrown from the process's callbacks goes (fails the listener, not the engine). */
    private readonly onFault: FaultHandler,
    private readonly now: () => number = () => Date.now(),
  ) {}

  private guard<A extends unknown[]>(where: string, fn: (...args: A) => void): (...args: A) => void {
    return guarded(this.onFault, `exec ${where}`, fn);
  }

  accepted(actions: BehaviourActions): void {
    this.actions = actions;
    // Until a slot is free the client's bytes wait in the kernel (TCP flow control).
    actions.pauseReading();
    this.slots.request(this);
  }

  /** Ahead of this client in the queue (0 = next), or null once started. */
  setPosition(n: number | null): void {
    if (this.position === n) return;
    this.position = n;
    this.actions?.changed?.();
  }

  /** A slot is free: run the program. */
  start(): void {
    const a = this.actions;
    if (!a || this.gone) {
      this.slots.release(this);
      return;
    }
    this.position = null;
    let child: ChildProcessWithoutNullStreams;
    try {
      // detached: its own process group, so a kill reaches what it started too (POSIX).
      child = spawn(this.plan.program, this.plan.argv.slice(1), { cwd: this.plan.cwd, env: this.env, stdio: 'pipe', detached: process.platform !== 'win32', windowsHide: true });
    } catch (err) {
      this.failed(err);
      return;
    }
    this.child = child;
    this.state = 'running';
    child.on('error', this.guard('spawn', (err: Error) => this.failed(err)));
    child.on('spawn', this.guard('spawn', () => a.timeline?.('execve', `${this.plan.argv.join(' ')} → pid ${child.pid ?? '?'}`, true)));
    child.stdin.on('error', () => {
      // EPIPE: the program closed its stdin or exited; what the client sends now goes nowhere.
    });
    child.stdout.on('error', () => {});
    child.stderr.on('error', () => {});
    child.stdin.on('drain', this.guard('stdin', () => a.resumeReading()));
    child.stdout.on('data', this.guard('stdout', (d: Buffer) => this.output(d)));
    child.stderr.on('data', this.guard('stderr', (d: Buffer) => this.errorOutput(d)));
    child.on('close', this.guard('exit', (code: number | null, signal: NodeJS.Signals | null) => this.exited(code, signal)));
    for (const d of this.early.splice(0)) this.input(d);
    if (this.inputEnded) child.stdin.end();
    a.resumeReading();
    a.changed?.();
  }

  received(data: Uint8Array): void {
    const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
    if (this.state === 'waiting') this.early.push(buf);
    else if (this.state === 'running') this.input(buf);
  }

  peerEnded(): void {
    this.inputEnded = true;
    if (this.child && this.state === 'running') this.child.stdin.end();
  }

  drained(): void {
    this.child?.stdout.resume();
  }

  /** The client went away: the process goes too. */
  closed(): void {
    this.gone = true;
    if (this.state === 'waiting') {
      this.slots.withdraw(this);
      return;
    }
    this.kill();
  }

  /** SIGTERM, then SIGKILL after a grace period; also used when the listener closes. */
  kill(): void {
    const child = this.child;
    if (!child || this.state !== 'running') return;
    this.actions?.timeline?.(`kill(${child.pid ?? '?'}, SIGTERM)`, 'client gone', true);
    this.signalGroup(child, 'SIGTERM');
    this.killTimer = setTimeout(
      this.guard('kill', () => {
        if (this.state === 'running') this.signalGroup(child, 'SIGKILL');
      }),
      EXEC_LIMITS.killGraceMs,
    );
    this.killTimer.unref();
  }

  execInfo(): ExecInfo {
    const quiet = this.state === 'running' && this.lastInputAt > this.lastOutputAt && this.now() - this.lastInputAt >= QUIET_AFTER_INPUT_MS;
    return {
      state: this.state,
      position: this.position,
      pid: this.child?.pid ?? null,
      argv: [...this.plan.argv],
      exitCode: this.exitCode,
      signal: this.signal,
      stderr: new TextDecoder().decode(this.stderr),
      stderrBytes: this.stderrTotal,
      partialLine: this.partialLine,
      quietAfterInput: quiet,
    };
  }

  private input(buf: Buffer): void {
    const child = this.child;
    if (!child || !child.stdin.writable) return;
    this.lastInputAt = this.now();
    // Ask for a snapshot once the quiet hint would show, so the UI sees it without other traffic.
    this.actions?.schedule?.(QUIET_AFTER_INPUT_MS + 50, () => this.actions?.changed?.());
    if (!child.stdin.write(buf)) this.actions?.pauseReading();
  }

  private output(d: Buffer): void {
    const a = this.actions;
    if (!a) return;
    this.lastOutputAt = this.now();
    this.partialLine = d[d.length - 1] !== 0x0a;
    a.send(d);
    if (!a.writable()) this.child?.stdout.pause();
    a.changed?.();
  }

  private errorOutput(d: Buffer): void {
    this.stderrTotal += d.length;
    const joined = Buffer.concat([this.stderr, d]);
    this.stderr = joined.length > EXEC_LIMITS.stderrBytes ? joined.subarray(joined.length - EXEC_LIMITS.stderrBytes) : joined;
    this.actions?.changed?.();
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.state !== 'running') return;
    this.state = 'exited';
    this.exitCode = code;
    this.signal = signal;
    if (this.killTimer) clearTimeout(this.killTimer);
    const how = signal ? `killed by ${signal}` : `exited with status ${code ?? '?'}`;
    this.actions?.timeline?.(`waitpid(${this.child?.pid ?? '?'})`, how, !signal && code === 0);
    this.slots.release(this);
    if (!this.gone) this.actions?.shutdown();
    this.actions?.changed?.();
  }

  private failed(err: unknown): void {
    if (this.state === 'failed' || this.state === 'exited') return;
    const wasRunning = this.state === 'running';
    this.state = 'failed';
    const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    this.actions?.timeline?.('execve', `${this.plan.program}: ${code}`, false);
    if (wasRunning || this.child) this.slots.release(this);
    if (!this.gone) this.actions?.shutdown();
    this.actions?.changed?.();
  }

  private signalGroup(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): void {
    try {
      if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // Already gone (ESRCH): nothing to kill.
    }
  }
}
