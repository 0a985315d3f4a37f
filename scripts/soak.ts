/**
 * A long soak for manual runs: `npm run soak -- --minutes N` (default 10). The same load as the
 * suite's 60-second soak (engine/faults/soak.test.ts) — 100 TCP connections a second and
 * 1 MiB/s of UDP through a real engine on loopback — printed every sample, judged at the end by the
 * same rules (heap, RSS and fd trends after warm-up, failed cycles, warnings, leftover fds).
 *
 *   npm run soak -- --minutes 30 [--connections-per-second 100] [--udp-mib-per-second 1] [--sample-seconds 10]
 *
 * `--fuzz-minutes N` also runs the stateful fuzzer (engine/faults/stateful-fuzz.ts) for N
 * minutes after the load — rounds of random command sequences, each round's seed printed — and
 * alone (without `--minutes`) runs only the fuzzer:
 *
 *   npm run soak -- --fuzz-minutes 20 [--fuzz-commands 80] [--fuzz-seed S]
 *
 * Exits 0 when the run is flat (and the fuzzer found nothing), 1 otherwise.
 */
import { judgeSoak, runSoak } from '../engine/faults/soak-runner';
import { runStatefulFuzzFor } from '../engine/faults/stateful-fuzz';

interface SoakArgs {
  /** 0: no load soak (only the fuzzer). */
  minutes: number;
  cps: number;
  udpMiB: number;
  sampleSeconds: number;
  fuzzMinutes: number;
  fuzzCommands: number;
  fuzzSeed: number | undefined;
}

function parse(argv: string[]): SoakArgs {
  const out: SoakArgs = { minutes: 10, cps: 100, udpMiB: 1, sampleSeconds: 10, fuzzMinutes: 0, fuzzCommands: 80, fuzzSeed: undefined };
  let minutesGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const n = Number(argv[i + 1]);
    const need = () => {
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${a} takes a positive number`);
      i++;
      return n;
    };
    if (a === '--minutes') {
      out.minutes = need();
      minutesGiven = true;
    } else if (a === '--fuzz-minutes') out.fuzzMinutes = need();
    else if (a === '--fuzz-commands') out.fuzzCommands = need();
    else if (a === '--fuzz-seed') {
      if (!Number.isInteger(n)) throw new Error('--fuzz-seed takes an integer');
      out.fuzzSeed = n;
      i++;
    } else if (a === '--connections-per-second') out.cps = need();
    else if (a === '--udp-mib-per-second') out.udpMiB = need();
    else if (a === '--sample-seconds') out.sampleSeconds = need();
    else {
      throw new Error(
        `unknown option ${a}\nusage: npm run soak -- [--minutes N] [--connections-per-second N] [--udp-mib-per-second N] [--sample-seconds N] ` +
          '[--fuzz-minutes N] [--fuzz-commands N] [--fuzz-seed S]',
      );
    }
  }
  if (out.fuzzMinutes > 0 && !minutesGiven) out.minutes = 0;
  return out;
}

/** The stateful fuzzer for `--fuzz-minutes`: 0 when every round passed, 1 when one failed (its report printed). */
async function fuzz(o: SoakArgs): Promise<number> {
  console.log(`fuzz: ${o.fuzzMinutes} min of random command sequences (up to ${o.fuzzCommands} commands each)`);
  const r = await runStatefulFuzzFor(o.fuzzMinutes * 60_000, { maxCommands: o.fuzzCommands, ...(o.fuzzSeed !== undefined ? { seed: o.fuzzSeed } : {}) });
  if (r.failure) {
    console.log(`FAIL: the stateful fuzzer failed in round ${r.rounds}:\n${r.failure}`);
    return 1;
  }
  console.log(`PASS: ${r.rounds} fuzz rounds (${r.runs} sequences) found nothing`);
  return 0;
}

async function main(): Promise<number> {
  const o = parse(process.argv.slice(2));
  const load = o.minutes > 0 ? await loadSoak(o) : 0;
  const fuzzed = o.fuzzMinutes > 0 ? await fuzz(o) : 0;
  return Math.max(load, fuzzed);
}

async function loadSoak(o: SoakArgs): Promise<number> {
  console.log(`soak: ${o.minutes} min, ${o.cps} connections/s, ${o.udpMiB} MiB/s UDP, a sample every ${o.sampleSeconds} s`);
  console.log('     t   rss MiB  heap MiB  buf MiB   fds  endpoints  conversations    cycles  udp MiB in');
  const result = await runSoak({
    durationMs: o.minutes * 60_000,
    connectionsPerSecond: o.cps,
    udpBytesPerSecond: o.udpMiB * 1024 * 1024,
    sampleEveryMs: o.sampleSeconds * 1000,
    onSample: (s) =>
      console.log(
        [
          s.t.toFixed(0).padStart(6),
          s.rssMiB.toFixed(1).padStart(9),
          s.heapMiB.toFixed(1).padStart(9),
          s.buffersMiB.toFixed(1).padStart(8),
          String(s.fds).padStart(5),
          String(s.endpoints).padStart(10),
          String(s.conversations).padStart(14),
          String(s.cycles).padStart(9),
          s.udpMiBIn.toFixed(1).padStart(11),
        ].join(' '),
      ),
  });
  console.log(
    `done: ${result.cycles} cycles (${result.failedCycles} failed), ${(result.udpBytesIn / 1048576).toFixed(1)} MiB UDP received; ` +
      `after closing everything: ${result.final.fds} fds (${result.final.fdsAtStart} at start), RSS ${result.final.rssMiB} MiB, heap ${result.final.heapMiB} MiB`,
  );
  const problems = judgeSoak(result, o.cps);
  for (const p of problems) console.log(`FAIL: ${p}`);
  if (problems.length === 0) console.log('PASS: RSS, heap and fd count stayed flat');
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`soak: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
