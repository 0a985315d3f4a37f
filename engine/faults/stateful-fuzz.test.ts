/**
 * The stateful fuzzer in the suite: 30 random sequences of up to 40 commands (every contract
 * command, raw peers, waits, two commands at once) against a real engine on loopback, checked
 * after every command and at the end of every run (see stateful-fuzz.ts). A new seed each run,
 * printed; a failure prints seed, path and the shrunk sequence with its resolved trace.
 *
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run engine/faults/stateful-fuzz.test.ts   # replay
 *   FUZZ_RUNS=200 FUZZ_COMMANDS=80 npx vitest run engine/faults/stateful-fuzz.test.ts      # longer
 */
import { expect, it } from 'vitest';
import { commandNames } from '../../shared/contract';
import { fuzzedCommands } from './fuzz-commands';
import { fuzzOptionsFromEnv, runStatefulFuzz } from './stateful-fuzz';

const env = fuzzOptionsFromEnv();
const options = { numRuns: 30, maxCommands: 40, ...env };

// Counts open fds through /proc/self/fd or /dev/fd, and Unix socket paths are files: not on Windows.
it.skipIf(process.platform === 'win32')(
  `${options.numRuns} random command sequences of up to ${options.maxCommands} leave the engine consistent, answering and clean`,
  // A passing run takes well under a minute; the time limit bounds shrinking a failure.
  { timeout: 240_000 },
  async () => {
    const outcome = await runStatefulFuzz({ ...options, timeLimitMs: 180_000 });
    expect(outcome.failure, outcome.failure ?? '').toBeNull();
    expect(outcome.runs).toBeGreaterThan(0);
  },
);

it('fuzzes every command of the contract (a new command needs a step in fuzz-commands.ts)', () => {
  expect(commandNames.filter((name) => !fuzzedCommands.has(name))).toEqual([]);
});
