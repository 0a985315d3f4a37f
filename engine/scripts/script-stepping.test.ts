/**
 * A script run in the GUI's terms: each step in the socket-call timeline of the connection it runs
 * over (bounded: a tight repeat is summarised), and step mode (pause before each step, advance one
 * step, continue, stop while paused). Real peers: socat echoing, ncat as a listener's client.
 */
import { describe, expect, it } from 'vitest';
import { freePort } from '../testing/tcp-peers';
import { useTestHosts, type TestHost } from '../testing/test-host';
import { sleep, waitFor } from '../testing/wait';
import { LISTED_STEPS_PER_SECOND } from './step-notes';
import { runScriptText, startPeer, tcpReady, watchScripts, type ScriptEvents } from '../testing/script-test-helpers';

const newHost = useTestHosts();

const echoTcp = async () => {
  const port = await freePort();
  await startPeer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'PIPE'], tcpReady(port));
  return port;
};

/** The timeline's `script: …` lines of an endpoint, as `call → result`. */
const scriptCalls = (h: TestHost, endpointId: string) => h.calls(endpointId).filter((c) => /^(\[[^\]]+\] )?script: /.test(c));

describe('script steps in the socket-call timeline', () => {
  it('lists each step of a run over its own connection, with the outcome and a short detail', async () => {
    const h = newHost();
    const port = await echoTcp();
    const text = JSON.stringify({
      connect: { host: '127.0.0.1', port },
      steps: [{ send: 'hello\r\n' }, { expect: 'hello' }, { expect: { contains: 'bye', timeoutMs: 200 } }],
    });
    const { end } = await runScriptText(h, text);
    expect(end.outcome).toBe('failed');
    const endpointId = end.endpointId as string;
    await waitFor(() => scriptCalls(h, endpointId).some((c) => c.startsWith('script: ended')), 'the end in the timeline');
    const calls = scriptCalls(h, endpointId);
    expect(calls.slice(0, 3)).toEqual([
      `script: connect → passed: connected to 127.0.0.1:${port} (tcp)`,
      'script: send "hello\\r\\n" → passed: sent 7 bytes: hello␍␊',
      expect.stringMatching(/^script: expect contains "hello" → passed: matched contains "hello" after \d+ ms$/),
    ]);
    expect(calls[3]).toMatch(/^script: expect contains "bye" → failed: expected contains "bye": nothing matched within 200 ms; received 2 bytes: /);
    expect(calls[4]).toMatch(/^script: ended → failed: step 2 \(expect\) failed: /);
    // Short: the whole failure (with its hex) stays in the script's own results.
    for (const c of calls) expect(c.split(' → ')[1]?.length).toBeLessThanOrEqual(160);
    const failed = h.endpoint(endpointId).timeline.find((t) => t.call === 'script: expect contains "bye"');
    expect(failed?.ok).toBe(false);
    // The script's lines come after the socket's own calls, which are still there.
    expect(h.calls(endpointId).some((c) => c.startsWith('connect(127.0.0.1'))).toBe(true);
  });

  it('a tight repeat does not flood the timeline: passed steps past the per-second cap are counted into a summary', async () => {
    const h = newHost();
    const port = await echoTcp();
    const times = 3000;
    const text = JSON.stringify({ connect: { host: '127.0.0.1', port }, steps: [{ repeat: { times, steps: [{ send: 'x' }] } }, { expect: { contains: 'xxx', timeoutMs: 3000 } }] });
    const { end } = await runScriptText(h, text);
    expect(end.outcome, end.detail).toBe('passed');
    const endpointId = end.endpointId as string;
    await waitFor(() => scriptCalls(h, endpointId).some((c) => c.startsWith('script: ended')), 'the end in the timeline');
    const calls = scriptCalls(h, endpointId);
    const summaries = calls.filter((c) => /^script: × [\d,]+ steps → /.test(c));
    const counted = summaries.reduce((sum, c) => sum + Number(/× ([\d,]+) steps/.exec(c)?.[1]?.replace(/,/g, '')), 0);
    const listed = calls.filter((c) => !/^script: (×|ended)/.test(c)).length;
    // Every passed step is either listed or counted: connect, 3000 sends, the repeat, the expect.
    expect(listed + counted).toBe(times + 3);
    expect(summaries.length).toBeGreaterThan(0);
    // The run took a few seconds at most: a handful of seconds' worth of listed lines.
    const seconds = Math.ceil(end.durationMs / 1000) + 1;
    expect(listed).toBeLessThanOrEqual(LISTED_STEPS_PER_SECOND * seconds);
    expect(h.endpoint(endpointId).timeline.length).toBeLessThan(100);
  });

  it('over a listener’s client (ncat connecting in), the lines go to the listener’s timeline, tagged with the client', async () => {
    const h = newHost();
    const { endpointId: listenerId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    const local = h.listener(listenerId).local;
    if (local?.kind !== 'inet') throw new Error('listener not bound');
    // ncat as the client, echoing what it receives (its stdin and stdout are `cat`'s).
    await startPeer('ncat', ['127.0.0.1', String(local.port), '--sh-exec', 'cat'], async () => h.listener(listenerId).clientIds.length > 0);
    const clientId = h.listener(listenerId).clientIds[0] as string;
    const { end } = await runScriptText(h, JSON.stringify({ steps: [{ send: 'ping\n' }, { expect: 'ping' }] }), { conversationId: clientId });
    expect(end.outcome, end.detail).toBe('passed');
    await waitFor(() => scriptCalls(h, listenerId).some((c) => c.includes('script: ended')), 'the end in the listener’s timeline');
    const calls = scriptCalls(h, listenerId);
    expect(calls).toContain(`[${clientId}] script: send "ping\\n" → passed: sent 5 bytes: ping␊`);
    expect(calls.some((c) => c.startsWith(`[${clientId}] script: expect contains "ping" → passed`))).toBe(true);
  });
});

describe('step mode', () => {
  const start = async (h: TestHost, text: string): Promise<{ runId: string; events: ScriptEvents }> => {
    const events = watchScripts(h);
    const { runId } = await h.call('script:run', { text, stepping: true });
    return { runId, events };
  };
  const lastPause = (e: ScriptEvents) => e.pauses.at(-1);

  it('pauses before each step; `step` runs one and pauses again, `continue` runs to the end; pauses do not use up the time limit', async () => {
    const h = newHost();
    const port = await echoTcp();
    // A 600 ms limit for the whole run, paused well over that in total: only running time counts.
    const text = JSON.stringify({ connect: { host: '127.0.0.1', port }, timeoutMs: 600, steps: [{ send: 'one\n' }, { expect: 'one\n' }, { send: 'two\n' }, { expect: { exact: 'two\n' } }] });
    const { runId, events } = await start(h, text);

    await waitFor(() => lastPause(events)?.path === '0', 'the pause before step 0');
    expect(lastPause(events)).toEqual({ runId, path: '0', iteration: [], step: 'send "one\\n"' });
    const connect = events.steps[0];
    expect(connect?.kind).toBe('connect');
    expect(connect?.opened?.conversationId).toBeTruthy();
    // Paused means paused: nothing is sent while nobody advances.
    await sleep(350);
    expect(events.steps.map((s) => s.path)).toEqual(['connect']);
    expect(h.traffic(connect?.opened?.conversationId as string, 'out')).toHaveLength(0);

    await h.call('script:advance', { runId, mode: 'step' });
    await waitFor(() => lastPause(events)?.path === '1', 'the pause before step 1');
    expect(lastPause(events)?.step).toBe('expect contains "one\\n"');
    expect(events.steps.map((s) => `${s.path}:${s.ok}`)).toEqual(['connect:true', '0:true']);
    await sleep(350);

    await h.call('script:advance', { runId, mode: 'step' });
    await waitFor(() => lastPause(events)?.path === '2', 'the pause before step 2');
    expect(events.steps.map((s) => `${s.path}:${s.ok}`)).toEqual(['connect:true', '0:true', '1:true']);

    await h.call('script:advance', { runId, mode: 'continue' });
    await waitFor(() => events.ends[0], 'the end');
    expect(events.ends[0]?.outcome, events.ends[0]?.detail).toBe('passed');
    // Each step's result came before the pause at the next step, and no pause after `continue`.
    expect(events.order).toEqual(['step:connect:true', 'pause:0', 'step:0:true', 'pause:1', 'step:1:true', 'pause:2', 'step:2:true', 'step:3:true', 'end:passed']);
  });

  it('pauses before each step inside a repeat, saying which pass', async () => {
    const h = newHost();
    const port = await echoTcp();
    const text = JSON.stringify({ connect: { host: '127.0.0.1', port }, steps: [{ repeat: { times: 2, steps: [{ send: 'n={{counter}}\n' }] } }] });
    const { runId, events } = await start(h, text);
    await waitFor(() => lastPause(events)?.path === '0.0', 'the pause before the first pass');
    expect(lastPause(events)).toMatchObject({ path: '0.0', iteration: [1], step: 'send "n={{counter}}\\n"' });
    await h.call('script:advance', { runId, mode: 'step' });
    await waitFor(() => events.pauses.length === 2, 'the pause before the second pass');
    expect(lastPause(events)).toMatchObject({ path: '0.0', iteration: [2] });
    await h.call('script:advance', { runId, mode: 'step' });
    await waitFor(() => events.ends[0], 'the end');
    expect(events.ends[0]?.outcome).toBe('passed');
  });

  it('`step` while running pauses after the step in progress', async () => {
    const h = newHost();
    const port = await echoTcp();
    const events = watchScripts(h);
    const text = JSON.stringify({ connect: { host: '127.0.0.1', port }, steps: [{ wait: 400 }, { send: 'a' }, { send: 'b' }] });
    const { runId } = await h.call('script:run', { text });
    await waitFor(() => events.steps.length === 1, 'connected');
    await h.call('script:advance', { runId, mode: 'step' });
    await waitFor(() => lastPause(events), 'a pause');
    expect(lastPause(events)?.path).toBe('1');
    expect(events.steps.map((s) => s.path)).toEqual(['connect', '0']);
    await h.call('script:advance', { runId, mode: 'continue' });
    await waitFor(() => events.ends[0], 'the end');
    expect(events.ends[0]?.outcome).toBe('passed');
  });

  it('Stop while paused ends the run at once (stopped), and advancing an ended run is refused', async () => {
    const h = newHost();
    const port = await echoTcp();
    const { runId, events } = await start(h, JSON.stringify({ connect: { host: '127.0.0.1', port }, steps: [{ send: 'x' }] }));
    await waitFor(() => lastPause(events), 'the pause');
    const t = Date.now();
    await h.call('script:stop', { runId });
    await waitFor(() => events.ends[0], 'the end', 1000);
    expect(Date.now() - t).toBeLessThan(200);
    expect(events.ends[0]?.outcome).toBe('stopped');
    expect(events.steps.map((s) => s.path)).toEqual(['connect']);
    const err = await h.fail('script:advance', { runId, mode: 'step' });
    expect(err.code).toBe('NOT_FOUND');
    expect((await h.fail('script:advance', { runId, mode: 'rewind' })).code).toBe('VALIDATION');
  });

  it('a paused run ends when the engine shuts down (it does not wait out its pause)', async () => {
    const h = newHost();
    const port = await echoTcp();
    const { events } = await start(h, JSON.stringify({ connect: { host: '127.0.0.1', port }, steps: [{ send: 'x' }] }));
    await waitFor(() => lastPause(events), 'the pause');
    const t = Date.now();
    await h.engine.shutdown();
    await waitFor(() => events.ends[0], 'the end', 1000);
    expect(Date.now() - t).toBeLessThan(1000);
    expect(events.ends[0]?.outcome).toBe('stopped');
  });
});
