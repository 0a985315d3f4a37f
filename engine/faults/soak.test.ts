/**
 * The 60-second soak (the suite's only long test): 100 TCP connections a second through the engine
 * and 1 MiB/s of UDP, with a UI client attached. RSS, heap and open fds must stay flat after a
 * warm-up, no MaxListenersExceededWarning or unhandled rejection may appear, every cycle must
 * succeed, and closing everything must return every fd. Longer runs: `npm run soak -- --minutes N`.
 */
import { expect, it } from 'vitest';
import { judgeSoak, runSoak, type SoakSample } from './soak-runner';

const SECONDS = Number(process.env.SOCKSCOPE_SOAK_SECONDS ?? 60);

// Counts open fds through /proc/self/fd or /dev/fd: not on Windows.
it.skipIf(process.platform === 'win32')(`a ${SECONDS}-second soak keeps RSS and fd count flat`, { timeout: (SECONDS + 60) * 1000 }, async () => {
  const samples: SoakSample[] = [];
  const result = await runSoak({ durationMs: SECONDS * 1000, connectionsPerSecond: 100, udpBytesPerSecond: 1024 * 1024, sampleEveryMs: 5000, onSample: (s) => samples.push(s) });
  console.log(samples.map((s) => JSON.stringify(s)).join('\n'));
  console.log(JSON.stringify({ cycles: result.cycles, failed: result.failedCycles, udpMiB: +(result.udpBytesIn / 1048576).toFixed(1), final: result.final }));
  expect(judgeSoak(result, 100)).toEqual([]);
  // 1 MiB/s of UDP reached the endpoint (whatever its receive budget kept or dropped).
  expect(result.udpBytesIn).toBeGreaterThan(0.8 * SECONDS * 1024 * 1024);
});

it('the judge flags growing heap, array buffers or fds, and takes allocator slack in RSS', () => {
  const run = (grow: Partial<Record<'rssMiB' | 'heapMiB' | 'buffersMiB' | 'fds', number>>) => {
    const samples: SoakSample[] = Array.from({ length: 12 }, (_, i) => {
      const t = 5 * (i + 1);
      const at = (key: keyof typeof grow, base: number) => base + ((grow[key] ?? 0) * t) / 60;
      return { t, rssMiB: at('rssMiB', 180), heapMiB: at('heapMiB', 37), buffersMiB: at('buffersMiB', 34), fds: at('fds', 27), endpoints: 4, conversations: 1000, cycles: 100 * t, udpMiBIn: t };
    });
    return judgeSoak({ samples, problems: [], cycles: 6000, failedCycles: 0, udpBytesIn: 60 * 1024 * 1024, final: { fds: 27, fdsAtStart: 27, rssMiB: 180, heapMiB: 37 } }, 100);
  };
  expect(run({ rssMiB: 22 })).toEqual([]);
  expect(run({ rssMiB: 40 })).toEqual([expect.stringMatching(/^RSS grows 40\.0/)]);
  expect(run({ heapMiB: 6 })).toEqual([expect.stringMatching(/^heap grows/)]);
  expect(run({ buffersMiB: 6 })).toEqual([expect.stringMatching(/^array buffers grow/)]);
  expect(run({ fds: 30 })).toEqual([expect.stringMatching(/^open fds grow/)]);
});
