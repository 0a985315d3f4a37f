/**
 * No leaks (loopback only): 10,000 connect/close cycles through the engine — its own connection to
 * its own listener, so both ends are engine code — half closed with FIN, half with RST, in parallel
 * batches. Then every endpoint is closed, and: the process holds no more file descriptors than
 * before, `ss` lists no socket of this process (TIME_WAIT belongs to the kernel, not to us), the
 * engine holds no closed conversation beyond its bounded history, and memory is back near baseline.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_CLOSED_CLIENTS } from '../tcp/listener';
import type { TcpConnection } from '../tcp/connection';
import { MiB, openFds, ownSockets, type ProcessWatch, settledMemory, tcpStatesOnPort, watchProcess } from '../testing/faults';
import { TestHost } from '../testing/test-host';
import { waitFor } from '../testing/wait';

const CYCLES = 10_000;
const BATCH = 100;

let h: TestHost;
let watch: ProcessWatch;

beforeAll(() => {
  watch = watchProcess();
  h = new TestHost();
});

afterAll(async () => {
  await h.engine.shutdown();
  watch.dispose();
});

/** One batch: `n` connections opened at once, each closed (FIN or RST) once established, then removed. */
async function cycles(port: number, n: number, offset: number): Promise<void> {
  const ids = await Promise.all(Array.from({ length: n }, async () => (await h.call('tcp:connect', { host: '127.0.0.1', port })).endpointId));
  await waitFor(
    () => ids.every((id) => (h.engine.requireEndpoint(id) as TcpConnection).currentState !== 'connecting' && (h.engine.requireEndpoint(id) as TcpConnection).currentState !== 'resolving'),
    'batch connected',
    10_000,
  );
  await Promise.all(
    ids.map(async (id, i) => {
      const c = h.engine.requireEndpoint(id) as TcpConnection;
      expect(c.currentState, JSON.stringify(c.snapshot().error)).toBe('established');
      if ((offset + i) % 2 === 1) await h.call('conversation:reset', { conversationId: c.currentConversation!.id });
      await h.call('endpoint:remove', { endpointId: id });
    }),
  );
}

// Counts /proc/self/fd and asks `ss` (iproute2): Linux only.
it.runIf(process.platform === 'linux')(`${CYCLES.toLocaleString('en-US')} connect/close cycles leave no descriptor, socket or memory behind`, { timeout: 90_000 }, async () => {
  const { endpointId: lid } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } });
  const l = h.listener(lid);
  const port = l.local?.kind === 'inet' ? l.local.port : 0;

  // Warm up (JIT, lazily created timers and pools), then take the baseline with the listener open.
  for (let i = 0; i < 4; i++) await cycles(port, BATCH, i * BATCH);
  await waitFor(() => h.listener(lid).clientIds.every((id) => h.conversation(id).state === 'closed'), 'warm-up clients closed');
  const fdsBefore = openFds();
  const memBefore = await settledMemory();

  const started = Date.now();
  for (let done = 0; done < CYCLES; done += BATCH) await cycles(port, BATCH, done);
  const elapsed = Date.now() - started;

  // The listener's side of every cycle has closed too (echo closes after the peer's FIN or RST).
  await waitFor(() => h.listener(lid).clientIds.every((id) => h.conversation(id).state === 'closed'), 'accepted clients closed', 10_000);
  const listener = h.listener(lid);
  expect(listener.acceptedTotal).toBe(CYCLES + 4 * BATCH);
  // Closed clients are a bounded history, in the listener's table and in the engine alike.
  expect(listener.clientIds.length).toBeLessThanOrEqual(MAX_CLOSED_CLIENTS);
  expect(h.engine.listConversations().length).toBeLessThanOrEqual(MAX_CLOSED_CLIENTS);
  expect(h.engine.listEndpoints().map((e) => e.id)).toEqual([lid]);

  const fdsDuring = openFds();
  const memAfterCycles = await settledMemory();

  // Close every endpoint.
  await h.call('endpoint:remove', { endpointId: lid });
  const fdsAfter = openFds();
  const memAfter = await settledMemory();
  const mine = await ownSockets();
  const states = new Set(await tcpStatesOnPort(port));
  states.delete('TIME-WAIT');

  const report = {
    elapsedMs: elapsed,
    fds: { before: fdsBefore, afterCycles: fdsDuring, afterClose: fdsAfter },
    heapMiB: [memBefore.heap, memAfterCycles.heap, memAfter.heap].map((b) => +(b / MiB).toFixed(1)),
    rssMiB: [memBefore.rss, memAfterCycles.rss, memAfter.rss].map((b) => +(b / MiB).toFixed(1)),
  };
  console.log(JSON.stringify(report));

  expect(fdsDuring, 'fds with only the listener left open').toBeLessThanOrEqual(fdsBefore + 2);
  expect(fdsAfter, 'fds after closing every endpoint').toBeLessThanOrEqual(fdsBefore);
  expect(mine, 'ss: sockets of this process after closing every endpoint').toEqual([]);
  expect([...states], 'ss: states on the listener port other than TIME_WAIT').toEqual([]);
  expect(memAfter.heap + memAfter.buffers - (memBefore.heap + memBefore.buffers), 'heap + buffers growth').toBeLessThan(16 * MiB);
  expect(memAfter.rss - memBefore.rss, 'RSS growth').toBeLessThan(64 * MiB);
  expect(watch.events).toEqual([]);
});
