/** Shared by the script tests: run a script through the real dispatcher and collect its events. */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { EventBatch } from '../../shared/contract';
import type { ScriptPause, ScriptRunEnd, ScriptStepResult } from '../../shared/script';
import { track } from './cleanup';
import { freePort } from './tcp-peers';
import type { TestHost } from './test-host';

export interface ScriptRunOutcome {
  steps: ScriptStepResult[];
  end: ScriptRunEnd;
}

/** Starts the script and resolves with every step result and its end (bounded by `timeoutMs`). */
export async function runScriptText(h: TestHost, text: string, opts: { conversationId?: string; timeoutMs?: number } = {}): Promise<ScriptRunOutcome> {
  const steps: ScriptStepResult[] = [];
  let resolveEnd: (e: ScriptRunEnd) => void = () => undefined;
  const ended = new Promise<ScriptRunEnd>((r) => (resolveEnd = r));
  let runId: string | null = null;
  const early: ScriptRunEnd[] = [];
  const detach = h.engine.attachClient({
    send: (batch) => {
      // Every batch the engine sends must pass the shared schema.
      const parsed = EventBatch.parse(batch);
      for (const e of parsed.events) {
        if (e.type === 'script:step') steps.push(e.result);
        if (e.type === 'script:ended') {
          if (runId === null) early.push(e.end);
          else if (e.end.runId === runId) resolveEnd(e.end);
        }
      }
    },
  });
  try {
    const r = await h.call('script:run', { text, ...(opts.conversationId ? { conversationId: opts.conversationId } : {}) });
    runId = r.runId;
    const already = early.find((e) => e.runId === runId);
    if (already) resolveEnd(already);
    const timeoutMs = opts.timeoutMs ?? 15_000;
    const end = await Promise.race([
      ended,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`script ${runId} did not end within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    // The last steps' events may still be in the batcher's next flush.
    await new Promise((r) => setTimeout(r, 60));
    return { steps: steps.filter((s) => s.runId === runId), end };
  } finally {
    detach();
  }
}

/** Every script event the engine sends from now on, in order (each batch checked against the schema). */
export interface ScriptEvents {
  steps: ScriptStepResult[];
  pauses: ScriptPause[];
  ends: ScriptRunEnd[];
  /** `step:PATH:ok`, `pause:PATH`, `end:OUTCOME`, in arrival order. */
  order: string[];
  detach(): void;
}

export function watchScripts(h: TestHost): ScriptEvents {
  const events: Omit<ScriptEvents, 'detach'> = { steps: [], pauses: [], ends: [], order: [] };
  const detach = h.engine.attachClient({
    send: (batch) => {
      for (const e of EventBatch.parse(batch).events) {
        if (e.type === 'script:step') {
          events.steps.push(e.result);
          events.order.push(`step:${e.result.path}:${e.result.ok}`);
        } else if (e.type === 'script:paused') {
          events.pauses.push(e.pause);
          events.order.push(`pause:${e.pause.path}`);
        } else if (e.type === 'script:ended') {
          events.ends.push(e.end);
          events.order.push(`end:${e.end.outcome}`);
        }
      }
    },
  });
  track(detach);
  return { ...events, detach };
}

/** A real redis-server on a free loopback port, stopped after the test. */
export async function startRedis(): Promise<number> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  track(() => {
    child.kill('SIGTERM');
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('redis-server did not start within 10 s')), 10_000);
    child.on('error', (err) => {
      clearTimeout(t);
      reject(err);
    });
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  return port;
}

/** A real peer program (socat, ncat), killed after the test; `ready` says when it is listening. */
export async function startPeer(cmd: string, args: string[], ready: () => Promise<boolean>): Promise<void> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', () => undefined);
  track(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const deadline = Date.now() + 5000;
  while (!(await ready())) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${cmd} did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True once something accepts TCP connections on 127.0.0.1:port. */
export function tcpReady(port: number): () => Promise<boolean> {
  return () =>
    new Promise<boolean>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
}
