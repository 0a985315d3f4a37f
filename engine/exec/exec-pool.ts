/**
 * An exec listener's processes: at most `slots` at once (1 for One at a time), the other clients
 * waiting in order (at most EXEC_LIMITS.maxWaiting; past that a new client is closed at once),
 * each with a reduced environment: PATH, HOME, LANG/LC_ALL/TZ, and the ucspi-tcp variables
 * (PROTO, TCPLOCALIP, TCPLOCALPORT, TCPREMOTEIP, TCPREMOTEPORT) — never the engine's own secrets.
 */
import type { SockAddr } from '../../shared/primitives';
import { EXEC_LIMITS } from '../../shared/exec';
import type { FaultHandler } from '../fault-barrier';
import type { ConversationServer } from '../tcp/behaviours';
import { ExecSession, type ExecPlan, type ExecSlots } from './exec-session';

const KEPT_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT'] as const;

export class ExecPool implements ExecSlots {
  private readonly running = new Set<ExecSession>();
  private readonly waiting: ExecSession[] = [];
  private closed = false;

  constructor(
    readonly plan: ExecPlan,
    private readonly onFault: FaultHandler,
    private readonly changed: () => void,
  ) {}

  /** The server for one accepted client: its session, or a refusal when too many wait already. */
  session(c: { id: string; local: SockAddr | null; remote: SockAddr | null }): ConversationServer {
    if (this.closed || this.waiting.length >= EXEC_LIMITS.maxWaiting) return refused(`${EXEC_LIMITS.maxWaiting} clients are already waiting for a process`);
    return new ExecSession(this.plan, clientEnv(c), this, this.onFault);
  }

  counts(): { running: number; waiting: number } {
    return { running: this.running.size, waiting: this.waiting.length };
  }

  request(s: ExecSession): void {
    if (this.running.size < this.plan.slots && this.waiting.length === 0) {
      this.running.add(s);
      s.start();
    } else {
      this.waiting.push(s);
      s.setPosition(this.waiting.length - 1);
    }
    this.changed();
  }

  release(s: ExecSession): void {
    if (!this.running.delete(s)) return;
    this.next();
    this.changed();
  }

  withdraw(s: ExecSession): void {
    const i = this.waiting.indexOf(s);
    if (i < 0) return;
    this.waiting.splice(i, 1);
    this.renumber();
    this.changed();
  }

  /** The listener closed: every process is killed, no waiting client starts. */
  close(): void {
    this.closed = true;
    this.waiting.length = 0;
    for (const s of this.running) s.kill();
  }

  private next(): void {
    while (!this.closed && this.running.size < this.plan.slots) {
      const s = this.waiting.shift();
      if (!s) break;
      this.running.add(s);
      s.start();
    }
    this.renumber();
  }

  private renumber(): void {
    this.waiting.forEach((s, i) => s.setPosition(i));
  }
}

/** Closes the client at once (FIN) and says why in the timeline. */
function refused(why: string): ConversationServer {
  return {
    accepted: (a) => {
      a.timeline?.('execve', `not run: ${why}`, false);
      a.shutdown();
    },
    received: () => {},
    peerEnded: () => {},
    drained: () => {},
  };
}

function clientEnv(c: { local: SockAddr | null; remote: SockAddr | null }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of KEPT_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  if (c.local?.kind === 'unix') env.PROTO = 'UNIX';
  else env.PROTO = 'TCP';
  if (c.local?.kind === 'inet') {
    env.TCPLOCALIP = c.local.host;
    env.TCPLOCALPORT = String(c.local.port);
  }
  if (c.remote?.kind === 'inet') {
    env.TCPREMOTEIP = c.remote.host;
    env.TCPREMOTEPORT = String(c.remote.port);
  }
  return env;
}
