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
