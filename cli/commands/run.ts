/** `run SCRIPT`: a send/expect script in the engine; exit 0 when every expect passed, 1 when a step failed, 2 for bad input. */
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { SCRIPT_LIMITS, type ScriptRunEnd, type ScriptStepResult } from '../../shared/script';
import { err, EXIT, out, untilInterrupted, UsageError } from '../cli-io';
import { EngineRefusal, type CliEngine } from '../engine-port';
import { junitReport } from '../junit';

/** Step results kept for the JUnit report (the run itself is bounded by the script's own limits). */
const KEPT_RESULTS = 100_000;

async function readScript(path: string): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    if (text.length > SCRIPT_LIMITS.textBytes) throw new UsageError(`${path}: a script is at most ${SCRIPT_LIMITS.textBytes / 1024} KiB`);
    return text;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${path}: cannot read the script (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

export async function run(engine: CliEngine, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, junit: { type: 'string' }, quiet: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new UsageError('give one script file: sockscope run SCRIPT');
  const path = positionals[0] as string;
  const text = await readScript(path);
  const steps: ScriptStepResult[] = [];
  let runId: string | null = null;
  const early: ScriptRunEnd[] = [];
  let resolveEnd: (e: { end: ScriptRunEnd; unreported: number }) => void = () => undefined;
  const ended = new Promise<{ end: ScriptRunEnd; unreported: number }>((r) => (resolveEnd = r));
  const show = (s: ScriptStepResult) => {
    if (values.json) out(JSON.stringify({ type: 'step', ...s }));
    else if (!values.quiet || !s.ok) out(`${s.ok ? 'ok  ' : 'FAIL'} ${s.path}${s.iteration.length ? ` #${s.iteration.join('.')}` : ''} ${s.kind}: ${s.detail}`);
  };
  await engine.onEvent((e) => {
    if (e.type === 'script:step' && (runId === null || e.result.runId === runId)) {
      if (steps.length < KEPT_RESULTS) steps.push(e.result);
      show(e.result);
    } else if (e.type === 'script:ended') {
      if (runId === null) early.push(e.end);
      else if (e.end.runId === runId) resolveEnd(e);
    }
  });
  const interrupted = untilInterrupted(engine, async () => {
    if (runId) await engine.call('script:stop', { runId }).catch(() => undefined);
  });
  try {
    runId = (await engine.call('script:run', { text })).runId;
  } catch (e) {
    if (e instanceof EngineRefusal && e.code === 'VALIDATION') throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
  const settled = await Promise.race([ended, interrupted.done.then(() => null)]);
  if (settled === null) return EXIT.failed;
  const { end, unreported } = settled;
  if (values.json) out(JSON.stringify({ type: 'end', ...end, unreported }));
  else out(`${end.outcome === 'passed' ? 'passed' : end.outcome}: ${end.detail} (${end.steps} steps, ${end.expectsPassed} expects passed, ${end.expectsFailed} failed, ${end.durationMs} ms)${unreported ? `; ${unreported} fast steps not listed` : ''}`);
  if (values.junit) {
    try {
      await writeFile(values.junit, junitReport(basename(path), steps, end));
    } catch (e) {
      err(`sockscope: cannot write ${values.junit}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  await engine.shutdown();
  return end.outcome === 'passed' ? EXIT.ok : EXIT.failed;
}
