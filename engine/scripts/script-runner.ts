/**
 * Runs one send/expect script over one connection: each step in order, each step's result reported
 * as it ends, captures kept as variables for later `{{name}}`. Everything is bounded: the bytes an
 * expect looks at, the steps executed, each wait and the whole run; Stop (the signal) ends any step
 * at once. Each result is also a line of the connection's socket-call timeline (step-notes.ts), and
 * in step mode the run waits before each step at its gate (step-gate.ts).
 */
import { toHex } from '../../shared/bytes';
import { composeTemplate, describeTemplateError } from '../../shared/macros';
import { SCRIPT_LIMITS, type ExpectSpec, type Script, type ScriptPause, type ScriptRunEnd, type ScriptStep, type ScriptStepResult, type SendPayload, type StepKind } from '../../shared/script';
import { visibleText } from '../../shared/visible-bytes';
import { describeStep } from './describe-step';
import { describeExpectation, matchExpectation, type Expectation } from './expect-matcher';
import { compileScriptRegex } from './script-regex';
import { ReceiveBuffer } from './receive-buffer';
import type { ScriptConnection, ScriptIo } from './script-io';
import type { StepGate } from './step-gate';
import { StepNotes, type StepStatus } from './step-notes';

export interface RunScriptOptions {
  runId: string;
  script: Script;
  io: ScriptIo;
  /** Run over this conversation instead of the script's `connect`. */
  conversationId?: string;
  onStep(result: ScriptStepResult): void;
  /** Aborting it stops the run (outcome `stopped`). */
  signal: AbortSignal;
  /** Step mode: awaited before each step (a `repeat` pauses before each of its steps, not itself). */
  gate?: StepGate;
  /** The run waits before this step (step mode). */
  onPause?(pause: ScriptPause): void;
  now?: () => number;
}

/** Received bytes shown in a failed expect's message (the result's `received` carries up to this too). */
const SHOWN_BYTES = 4096;

/** A step that failed: the run ends `failed` with this step's result. */
class StepFailure extends Error {}
/** A limit was reached: the run ends `error`. */
class RunLimit extends Error {}
class Stopped extends Error {}

interface StepOutcome {
  detail: string;
  captured?: Record<string, string>;
}

export async function runScript(o: RunScriptOptions): Promise<ScriptRunEnd> {
  const now = o.now ?? Date.now;
  const started = now();
  // Moved on by the time spent paused: a person reading a step is not the script taking long.
  let deadline = started + (o.script.timeoutMs ?? SCRIPT_LIMITS.totalMs.default);
  const vars: Record<string, string> = { ...o.script.vars };
  const buffer = new ReceiveBuffer(SCRIPT_LIMITS.expectBufferBytes);
  let conn: ScriptConnection | null = null;
  /** The steps in the connection's socket-call timeline, once there is a connection. */
  let notes: StepNotes | null = null;
  let executed = 0;
  let sends = 0;
  let expectsPassed = 0;
  let expectsFailed = 0;
  const iteration: number[] = [];

  const end = (outcome: ScriptRunEnd['outcome'], detail: string): ScriptRunEnd => {
    notes?.finish(outcome, detail);
    return {
      runId: o.runId,
      outcome,
      detail,
      steps: executed,
      expectsPassed,
      expectsFailed,
      endpointId: conn?.endpointId ?? null,
      durationMs: now() - started,
    };
  };

  const report = (
    path: string,
    kind: StepKind,
    at: number,
    r: { ok: boolean; detail: string; captured?: Record<string, string>; received?: ScriptStepResult['received']; opened?: ScriptStepResult['opened'] },
    label: string = kind,
    status: StepStatus = r.ok ? 'passed' : 'failed',
  ) => {
    notes?.step(label, status, r.detail);
    o.onStep({
      runId: o.runId,
      path,
      iteration: [...iteration],
      kind,
      ok: r.ok,
      detail: r.detail,
      received: r.received ?? null,
      captured: r.captured ?? {},
      startedAt: at,
      durationMs: now() - at,
      ...(r.opened ? { opened: r.opened } : {}),
    });
  };

  /** Step mode: waits before `step` until told to go on; the time paused moves the deadline. */
  const pauseBefore = async (step: ScriptStep, path: string) => {
    if (!o.gate) return;
    const pausedAt = now();
    const outcome = await o.gate.before(o.signal, SCRIPT_LIMITS.pauseMs, () => o.onPause?.({ runId: o.runId, path, iteration: [...iteration], step: labelOf(step) }));
    deadline += now() - pausedAt;
    if (outcome === 'stopped') throw new Stopped('stopped');
    if (outcome === 'timeout') throw new RunLimit(`paused for over ${SCRIPT_LIMITS.pauseMs / 60_000} minutes before step ${path}`);
  };

  const remaining = () => deadline - now();
  const checkTime = () => {
    if (o.signal.aborted) throw new Stopped('stopped');
    if (remaining() <= 0) throw new RunLimit(`the script's time limit (${o.script.timeoutMs ?? SCRIPT_LIMITS.totalMs.default} ms) was reached`);
  };

  const requireConn = (): ScriptConnection => {
    if (!conn) throw new StepFailure('not connected');
    return conn;
  };

  /** In a send, {{counter}} is this send's number; in an expect, the last send's (the one it answers). */
  const compose = (payload: SendPayload, counter = sends + 1): Uint8Array => {
    const hex = typeof payload !== 'string';
    const text = hex ? payload.hex : payload;
    const r = composeTemplate(text, { hex, lineEnding: 'none', macros: { counter, now: now(), vars } });
    if (!r.ok) throw new StepFailure(describeTemplateError(r));
    return r.bytes;
  };

  const expectation = (spec: ExpectSpec): { e: Expectation; text: string; timeoutMs: number } => {
    const timeoutMs = (typeof spec === 'string' ? undefined : spec.timeoutMs) ?? SCRIPT_LIMITS.expectTimeoutMs.default;
    const last = Math.max(sends, 1);
    if (typeof spec === 'string') return { e: { kind: 'contains', bytes: compose(spec, last) }, text: spec, timeoutMs };
    if ('exact' in spec) return { e: { kind: 'exact', bytes: compose(spec.exact, last) }, text: spec.exact, timeoutMs };
    if ('contains' in spec) return { e: { kind: 'contains', bytes: compose(spec.contains, last) }, text: spec.contains, timeoutMs };
    // Variables go into a pattern as literal text: a captured `a.b` matches only `a.b`.
    const source = spec.regex.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (whole, name: string) =>
      Object.hasOwn(vars, name) ? (vars[name] as string).replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&') : whole,
    );
    const compiled = compileScriptRegex(source, spec.flags ?? '');
    if (!compiled.ok) throw new StepFailure(`regex: ${compiled.error}`);
    return { e: { kind: 'regex', regex: compiled.regex, source, names: spec.as ?? [] }, text: source, timeoutMs };
  };

  const expectStep = async (spec: ExpectSpec): Promise<StepOutcome> => {
    requireConn();
    const { e, text, timeoutMs } = expectation(spec);
    const wanted = describeExpectation(e, text);
    const stepStart = now();
    const limit = Math.min(timeoutMs, remaining());
    for (;;) {
      const outcome = matchExpectation(e, buffer.view());
      if (outcome.status === 'matched') {
        buffer.consume(outcome.consumed);
        const captured = outcome.captures;
        for (const [k, v] of Object.entries(captured)) {
          if (v.length > SCRIPT_LIMITS.captureChars) throw new StepFailure(`capture ${k} is over ${SCRIPT_LIMITS.captureChars} characters`);
          if (!Object.hasOwn(vars, k) && Object.keys(vars).length >= SCRIPT_LIMITS.variables) throw new RunLimit(`a script holds at most ${SCRIPT_LIMITS.variables} variables`);
          vars[k] = v;
        }
        const names = Object.keys(captured);
        const set = names.length ? `; ${names.map((k) => `${k}=${JSON.stringify(captured[k])}`).join(', ')}` : '';
        return { detail: `matched ${wanted} after ${now() - stepStart} ms${set}`, captured };
      }
      const elapsed = now() - stepStart;
      let why: string | null = null;
      if (outcome.status === 'mismatch') why = `what arrived differs (${outcome.why})`;
      else if (buffer.ended !== null) why = `${buffer.ended} first`;
      else if (elapsed >= limit) why = limit < timeoutMs ? `the script's time limit was reached after ${elapsed} ms` : `nothing matched within ${timeoutMs} ms`;
      if (why) throw new ExpectFailure(`expected ${wanted}: ${why}`, buffer);
      await buffer.changed(limit - elapsed, o.signal);
      if (o.signal.aborted) throw new Stopped('stopped');
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        o.signal.removeEventListener('abort', done);
        resolve();
      }
      o.signal.addEventListener('abort', done, { once: true });
    });

  const runStep = async (step: ScriptStep): Promise<StepOutcome> => {
    if ('send' in step) {
      const c = requireConn();
      const bytes = compose(step.send);
      sends++;
      await c.send(bytes).catch((err: unknown) => {
        throw new StepFailure(`send failed: ${messageOf(err)}`);
      });
      return { detail: `sent ${bytes.length} bytes: ${oneLine(bytes)}` };
    }
    if ('expect' in step) return expectStep(step.expect);
    if ('wait' in step) {
      const ms = Math.min(step.wait, remaining());
      await sleep(ms);
      if (o.signal.aborted) throw new Stopped('stopped');
      return { detail: `waited ${ms} ms` };
    }
    const c = requireConn();
    const act = async (what: string, fn: () => Promise<void>) => {
      await fn().catch((err: unknown) => {
        throw new StepFailure(`${what} failed: ${messageOf(err)}`);
      });
    };
    if ('shutdown' in step) {
      await act('shutdown', () => c.shutdown());
      return { detail: 'shutdown(SHUT_WR): FIN sent' };
    }
    if ('reset' in step) {
      await act('reset', () => c.reset());
      return { detail: 'RST sent' };
    }
    if ('starttls' in step) {
      const options = step.starttls === true ? {} : step.starttls;
      let session = '';
      await act('STARTTLS', async () => {
        session = await c.startTls(options);
      });
      return { detail: `secure: ${session}` };
    }
    await act('close', () => c.close());
    return { detail: c.endpointId ? 'closed' : 'closed our side (FIN): a listener’s client is closed by its peer or the listener' };
  };

  const kindOf = (s: ScriptStep): StepKind => (Object.keys(s)[0] as StepKind);
  // Worded once per step of the file, not once per pass of a repeat.
  const labels = new WeakMap<ScriptStep, string>();
  const labelOf = (s: ScriptStep): string => {
    let label = labels.get(s);
    if (label === undefined) labels.set(s, (label = describeStep(s)));
    return label;
  };

  const runSteps = async (steps: readonly ScriptStep[], prefix: string): Promise<void> => {
    for (const [i, step] of steps.entries()) {
      const path = `${prefix}${i}`;
      if (!('repeat' in step)) await pauseBefore(step, path);
      checkTime();
      if (++executed > SCRIPT_LIMITS.executedSteps) throw new RunLimit(`a run executes at most ${SCRIPT_LIMITS.executedSteps.toLocaleString('en-US')} steps`);
      if ('repeat' in step) {
        const at = now();
        for (let n = 1; n <= step.repeat.times; n++) {
          iteration.push(n);
          try {
            await runSteps(step.repeat.steps, `${path}.`);
          } finally {
            iteration.pop();
          }
        }
        report(path, 'repeat', at, { ok: true, detail: `repeated ${step.repeat.times} times` }, labelOf(step));
        continue;
      }
      const kind = kindOf(step);
      const label = labelOf(step);
      const at = now();
      try {
        const r = await runStep(step);
        if (kind === 'expect') expectsPassed++;
        report(path, kind, at, { ok: true, ...r }, label);
      } catch (err) {
        if (err instanceof Stopped || (o.signal.aborted && !(err instanceof StepFailure))) {
          report(path, kind, at, { ok: false, detail: 'stopped' }, label, 'stopped');
          throw new Stopped('stopped');
        }
        if (kind === 'expect') expectsFailed++;
        const received = err instanceof ExpectFailure ? err.received : undefined;
        report(path, kind, at, { ok: false, detail: messageOf(err), ...(received ? { received } : {}) }, label);
        throw err instanceof RunLimit ? err : new StepFailure(`step ${path} (${kind}) failed: ${messageOf(err)}`);
      }
    }
  };

  try {
    const connectAt = now();
    try {
      if (o.conversationId !== undefined) conn = o.io.adopt(o.conversationId);
      else if (o.script.connect) conn = await o.io.connect(o.script.connect);
      else throw new StepFailure('the script has no connect (and the run was given no conversation)');
    } catch (err) {
      report('connect', 'connect', connectAt, { ok: false, detail: messageOf(err) });
      return end('failed', `connect failed: ${messageOf(err)}`);
    }
    const c = conn;
    conn.onReceive((b) => buffer.append(b));
    conn.onEnded((how) => buffer.end(how));
    notes = new StepNotes((call, result, ok) => c.note(call, result, ok), now);
    report('connect', 'connect', connectAt, {
      ok: true,
      detail: `${o.conversationId !== undefined ? 'using' : 'connected to'} ${conn.peer} (${conn.kind})`,
      opened: { endpointId: conn.endpointId, conversationId: conn.conversationId },
    });
    await runSteps(o.script.steps, '');
    return end('passed', `${executed} steps, ${expectsPassed} expects passed`);
  } catch (err) {
    if (err instanceof Stopped) return end('stopped', 'stopped');
    if (err instanceof StepFailure || err instanceof ExpectFailure) return end('failed', messageOf(err));
    if (err instanceof RunLimit) return end('error', messageOf(err));
    return end('error', `unexpected failure: ${messageOf(err)}`);
  } finally {
    conn?.detach();
  }
}

/** A failed expect carries what arrived, as text and hex. */
class ExpectFailure extends Error {
  readonly received: NonNullable<ScriptStepResult['received']>;
  constructor(message: string, buffer: ReceiveBuffer) {
    const bytes = buffer.view();
    const shown = bytes.subarray(0, SHOWN_BYTES);
    const more = bytes.length > SHOWN_BYTES ? ` (first ${SHOWN_BYTES} shown)` : '';
    const dropped = buffer.dropped ? `, after ${buffer.dropped} older unmatched bytes were dropped` : '';
    const text = oneLine(shown);
    const hex = toHex(shown);
    super(
      bytes.length === 0
        ? `${message}; nothing arrived${dropped}`
        : `${message}; received ${bytes.length} bytes${more}${dropped}: "${text}" (hex ${hex})`,
    );
    this.received = { text, hex, bytes: bytes.length };
  }
}

/** Control characters visible, on one line. */
function oneLine(bytes: Uint8Array): string {
  return visibleText(bytes).replace(/\n/g, '');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
