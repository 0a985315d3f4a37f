/**
 * A stateful, model-based fuzzer of the engine (fast-check `commands` + `asyncModelRun`): random
 * sequences of every contract command, raw peers, waits, two commands at once, quitting mid-command
 * and restarting on the same data folder, against a REAL engine with REAL loopback sockets and a UI
 * client attached (fuzz-commands.ts). After each command (fuzz-world.ts): it answered with a valid
 * envelope within 5 s, never INTERNAL, its value within the response schema; nothing became an
 * uncaught exception or unhandled rejection or was logged as an internal error; every batch the UI
 * got parses with the shared schema and never mentions an endpoint after its removal; `app:info`
 * answers; the engine lists exactly the model's endpoints, no conversation outlives its endpoint, no
 * closed or removed conversation is still being recorded, and a removed endpoint is gone from the
 * next snapshot. After a restart the session brings back as many endpoints of each kind. At the end
 * of each run: the UI's view matches the engine's, `engine.shutdown()` resolves, no stream socket is
 * still counted open, no ticker or recording is left, and no fd, socket file or private folder is
 * left behind.
 *
 * Why: single hostile commands passed 77 tests while three ordinary ones in a row (bind UDP,
 * record it, remove it) crashed the host from a timer. Only sequences find that class of bug.
 *
 * A failure prints the seed, the path and the shrunk sequence, plus the resolved trace of that
 * sequence (real ids, ports, answers). Replay it with
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> [FUZZ_REPLAY_PATH=<replayPath>] npx vitest run engine/faults/stateful-fuzz.test.ts
 * Plain Node (no vitest): `npm run soak -- --fuzz-minutes N` runs it for longer.
 */
import fc from 'fast-check';
import { fuzzCommandArb } from './fuzz-commands';
import { emptyModel, FuzzWorld } from './fuzz-world';

export interface FuzzOptions {
  numRuns: number;
  /** Commands per run, at most. */
  maxCommands: number;
  seed?: number;
  /** Replays one counterexample (with its seed). */
  path?: string;
  /** fast-check's hint for replaying a commands counterexample (`/*replayPath="…"*\/` in the report). */
  replayPath?: string;
  /** No new run (and no more shrinking) after this long. */
  timeLimitMs?: number;
  log?: (line: string) => void;
}

export interface FuzzOutcome {
  seed: number;
  runs: number;
  ms: number;
  /** fast-check's report (seed, path, shrunk counterexample, error) plus how to replay; null when it passed. */
  failure: string | null;
}

/** FUZZ_SEED, FUZZ_PATH, FUZZ_REPLAY_PATH, FUZZ_RUNS and FUZZ_COMMANDS, when set. */
export function fuzzOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<FuzzOptions> {
  const out: Partial<FuzzOptions> = {};
  const int = (name: string) => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, not ${JSON.stringify(v)}`);
    return n;
  };
  const seed = int('FUZZ_SEED');
  if (seed !== undefined) out.seed = seed;
  if (env.FUZZ_PATH) out.path = env.FUZZ_PATH;
  if (env.FUZZ_REPLAY_PATH) out.replayPath = env.FUZZ_REPLAY_PATH;
  const runs = int('FUZZ_RUNS');
  if (runs !== undefined) out.numRuns = runs;
  const commands = int('FUZZ_COMMANDS');
  if (commands !== undefined) out.maxCommands = commands;
  return out;
}

export const randomSeed = () => (Math.random() * 0x7fffffff) | 0;

/** One fast-check check of `numRuns` sequences; never throws for a failing sequence, reports it. */
export async function runStatefulFuzz(opts: FuzzOptions): Promise<FuzzOutcome> {
  const seed = opts.seed ?? randomSeed();
  const log = opts.log ?? ((line: string) => console.log(line));
  log(`stateful fuzz: seed ${seed}, ${opts.numRuns} runs of up to ${opts.maxCommands} commands${opts.path ? `, replaying path ${opts.path}` : ''}`);
  const started = Date.now();
  let runs = 0;
  const property = fc.asyncProperty(
    fc.commands([fuzzCommandArb], { maxCommands: opts.maxCommands, size: 'max', ...(opts.replayPath ? { replayPath: opts.replayPath } : {}) }),
    async (cmds) => {
      runs++;
      const world = await FuzzWorld.create();
      let failed = true;
      try {
        await fc.asyncModelRun(() => ({ model: emptyModel(), real: world }), cmds);
        failed = false;
      } finally {
        // After a failure only release (the run already failed); otherwise check what it left behind.
        await world.finish({ check: !failed });
      }
    },
  );
  const details = await fc.check(property, {
    numRuns: opts.numRuns,
    seed,
    ...(opts.path ? { path: opts.path } : {}),
    ...(opts.timeLimitMs ? { interruptAfterTimeLimit: opts.timeLimitMs } : {}),
  });
  const ms = Date.now() - started;
  if (!details.failed) {
    log(`stateful fuzz: seed ${seed} passed ${details.numRuns} runs in ${(ms / 1000).toFixed(1)} s${details.interrupted ? ' (time limit reached)' : ''}`);
    return { seed, runs, ms, failure: null };
  }
  const report = fc.defaultReportMessage(details) ?? `failed with seed ${seed}`;
  const replayPath = /replayPath="([^"]*)"/.exec(report)?.[1];
  const replay =
    `Replay: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''} FUZZ_COMMANDS=${opts.maxCommands}` +
    `${replayPath ? ` FUZZ_REPLAY_PATH='${replayPath}'` : ''} npx vitest run engine/faults/stateful-fuzz.test.ts`;
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return { seed, runs, ms, failure: `${report}\n\nThe shrunk sequence failed with: ${error}\n\n${replay}` };
}

/** Runs of one round in a long fuzz: short enough that the time limit is overshot by seconds, not minutes. */
const RUNS_PER_ROUND = 10;
/** Shrinking a failure found near the deadline may take this much longer. */
const SHRINK_ALLOWANCE_MS = 5 * 60_000;

export interface LongFuzzOutcome {
  rounds: number;
  runs: number;
  /** The first failing round's report (later rounds are not started); null when all passed. */
  failure: string | null;
}

/**
 * The long run (`npm run soak -- --fuzz-minutes N`): rounds of RUNS_PER_ROUND sequences, each with
 * its own printed seed (the first is `seed` when given), until `durationMs` has passed or a round fails.
 */
export async function runStatefulFuzzFor(
  durationMs: number,
  opts: { maxCommands: number; seed?: number; log?: (line: string) => void },
): Promise<LongFuzzOutcome> {
  const deadline = Date.now() + durationMs;
  let rounds = 0;
  let runs = 0;
  while (Date.now() < deadline) {
    const seed = rounds === 0 && opts.seed !== undefined ? opts.seed : randomSeed();
    const outcome = await runStatefulFuzz({
      numRuns: RUNS_PER_ROUND,
      maxCommands: opts.maxCommands,
      seed,
      timeLimitMs: deadline - Date.now() + SHRINK_ALLOWANCE_MS,
      ...(opts.log ? { log: opts.log } : {}),
    });
    rounds++;
    runs += outcome.runs;
    if (outcome.failure) return { rounds, runs, failure: outcome.failure };
  }
  return { rounds, runs, failure: null };
}
