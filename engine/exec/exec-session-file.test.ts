/** Exec listeners in the session: back after a restart from one's own data folder, refused on import. */
import { describe, expect, it } from 'vitest';
import { startHost, tempDataDir } from '../testing/session-host';
import { rawClient } from '../testing/tcp-peers';

describe('exec listeners in the session', () => {
  it('come back after a restart and run their command again', async () => {
    const dir = tempDataDir();
    const first = await startHost(dir);
    const { endpointId } = await first.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, exec: { command: '/usr/bin/tr a-z A-Z', mode: 'one-at-a-time' } });
    const port = (first.endpoint(endpointId).local as { port: number }).port;
    const exported = (await first.call('session:export', {})).json;
    await first.stop();

    const second = await startHost(dir);
    const back = (await second.snapshot()).endpoints.find((e) => e.kind === 'tcp-listener');
    expect(back?.kind === 'tcp-listener' && back.exec).toEqual({ command: '/usr/bin/tr a-z A-Z', mode: 'one-at-a-time' });
    const c = await rawClient(port);
    c.socket.end('again\n');
    await c.ended;
    expect(c.received().toString()).toBe('AGAIN\n');
    c.socket.destroy();

    // The same file handed to someone else's Import session is refused: it would run a program.
    const err = await second.fail('session:import', { json: exported });
    expect(err.code).toBe('VALIDATION');
    expect(err.message).toMatch(/endpoints\.0\.exec: an imported session cannot hold an exec listener/);
  });
});
