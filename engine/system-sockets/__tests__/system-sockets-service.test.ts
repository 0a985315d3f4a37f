/**
 * The service with its commands faked: stale snapshots keep their rows, limited visibility is said
 * in words, one refresh at a time across collector kinds, service names, reverse DNS bounds, and
 * the contract's limits at the dispatcher.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SystemSocketsView } from '../../../shared/system-sockets';
import { createEngineHost, type EngineHost } from '../../index';
import { SystemSocketsCollector } from '../collector';
import { ReverseDnsCache } from '../reverse-dns';
import type { CommandResult, RunCommand } from '../run-command';
import { PORT_HOLDER_TIMEOUT_MS, SystemSocketsService } from '../system-sockets-service';

const hosts: EngineHost[] = [];
afterEach(async () => {
  await Promise.allSettled(hosts.splice(0).map((h) => h.engine.shutdown()));
});

function engineHost(): EngineHost {
  const h = createEngineHost({ mode: 'browser', version: 'test', dataDir: null });
  hosts.push(h);
  return h;
}

const HEADER = 'Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process';
const SS = [
  HEADER,
  'tcp   LISTEN 0      128        0.0.0.0:22         0.0.0.0:*     users:(("sshd",pid=700,fd=3)) ino:100 sk:1 <->',
  'tcp   LISTEN 0      5        127.0.0.1:43         0.0.0.0:*     users:(("<svg onload=1>",pid=4242,fd=5)) ino:101 sk:2 <->',
  'tcp   ESTAB  0      0        10.0.0.5:51000   93.184.216.34:443 users:(("curl",pid=800,fd=4)) ino:102 sk:3 <->',
  'tcp   LISTEN 0      5        127.0.0.1:9999       0.0.0.0:*     uid:1000 ino:103 sk:4 <->',
  '',
].join('\n');

function fakeRun(replies: Array<string | Error>, delayMs = 0) {
  const calls: string[][] = [];
  let running = 0;
  let maxRunning = 0;
  const run: RunCommand = async (command, args) => {
    calls.push([command, ...args]);
    running++;
    maxRunning = Math.max(maxRunning, running);
    try {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const reply = replies.length > 1 ? replies.shift() : replies[0];
      if (reply instanceof Error) throw reply;
      return { stdout: reply ?? '', stderr: '', exitCode: 0 } satisfies CommandResult;
    } finally {
      running--;
    }
  };
  return { run, calls, maxRunning: () => maxRunning };
}

function service(h: EngineHost, run: RunCommand, uid = 0) {
  return new SystemSocketsService(h.engine, {
    createCollector: (includeUnix) => new SystemSocketsCollector({ platform: 'linux', run, includeUnix, getuid: () => uid }),
    platform: 'linux',
  });
}

describe('SystemSocketsService', () => {
  it('answers with schema-valid rows, service names, and nothing marked that is not ours', async () => {
    const h = engineHost();
    const { run } = fakeRun([SS]);
    const view = SystemSocketsView.parse(await service(h, run).view());
    expect(view.rows).toHaveLength(4);
    expect(view.rows.every((r) => r.own === null)).toBe(true);
    const whois = view.rows.find((r) => r.localPort === 43);
    expect(whois).toMatchObject({ localService: 'whois', processes: [{ pid: 4242, name: '<svg onload=1>' }] });
    expect(view.rows.find((r) => r.localPort === 22)?.localService).toBe('ssh');
    const curl = view.rows.find((r) => r.remotePort === 443);
    // An ephemeral client port is no service; the server's port is.
    expect(curl).toMatchObject({ localService: null, remoteService: 'https' });
  });

  it('a failed refresh keeps the last rows, marked stale with the error', async () => {
    const h = engineHost();
    const { run } = fakeRun([SS, Object.assign(new Error('boom'), { code: 'ETIMEDOUT' })]);
    const s = service(h, run);
    const good = await s.view();
    await new Promise((r) => setTimeout(r, 300));
    const stale = await s.view();
    expect(stale.stale).toBe(true);
    expect(stale.error?.code).toBeTruthy();
    expect(stale.rows.map((r) => r.key)).toEqual(good.rows.map((r) => r.key));
    expect(stale.takenAt).toBe(good.takenAt);
  });

  it('says plainly when visibility is limited', async () => {
    const h = engineHost();
    const { run } = fakeRun([SS]);
    const view = await service(h, run, 1000 + 1).view();
    expect(view.limitedVisibility).toMatch(/^Limited visibility: run Sockscope as root/);
  });

  it('never runs two snapshots at once, even when callers want different kinds', async () => {
    const h = engineHost();
    const { run, calls, maxRunning } = fakeRun([SS], 30);
    const s = service(h, run);
    const results = await Promise.all([
      s.view(),
      s.view(),
      s.view({ includeUnix: true }),
      s.view(),
      s.view({ includeUnix: true }),
    ]);
    expect(results).toHaveLength(5);
    expect(maxRunning()).toBe(1);
    // Equal requests joined the refresh of their kind; the Unix one (two ss runs) waited for the inet one.
    expect(calls.map((c) => c[1])).toEqual(['-tuanpie', '-tuanpie', '-xanpe']);
  });

  it('portHolder names the process, or the uid when the process is hidden, and null when nothing holds it', async () => {
    const h = engineHost();
    const { run } = fakeRun([SS]);
    const s = service(h, run);
    expect(await s.portHolder(43, 'tcp')).toBe('<svg onload=1> (pid 4242)');
    expect(await s.portHolder(9999, 'tcp')).toMatch(/user id 1000/);
    expect(await s.portHolder(12345, 'tcp')).toBeNull();
    expect(await s.portHolder(22, 'udp')).toBeNull();
  });

  it('portHolder gives up after PORT_HOLDER_TIMEOUT_MS (the one lookup policy)', async () => {
    const h = engineHost();
    const run: RunCommand = () => new Promise(() => {});
    const started = Date.now();
    expect(await service(h, run).portHolder(43, 'tcp')).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(PORT_HOLDER_TIMEOUT_MS - 50);
    expect(Date.now() - started).toBeLessThan(PORT_HOLDER_TIMEOUT_MS + 1500);
  });

  it('reverse DNS only for addresses the table shows', async () => {
    const h = engineHost();
    const { run } = fakeRun([SS]);
    const asked: string[] = [];
    const s = new SystemSocketsService(h.engine, {
      createCollector: () => new SystemSocketsCollector({ platform: 'linux', run, getuid: () => 0 }),
      reverseDns: {
        lookup: async (a) => {
          asked.push(a);
          return ['example.test'];
        },
      },
    });
    await s.view();
    const first = s.reverseDns(['93.184.216.34', '8.8.8.8', '0.0.0.0', '127.0.0.1']);
    expect(first).toEqual([
      { address: '93.184.216.34', status: 'pending', name: null },
      { address: '8.8.8.8', status: 'skipped', name: null },
      { address: '0.0.0.0', status: 'skipped', name: null },
      { address: '127.0.0.1', status: 'resolved', name: 'localhost' },
    ]);
    await new Promise((r) => setTimeout(r, 20));
    expect(s.reverseDns(['93.184.216.34'])).toEqual([{ address: '93.184.216.34', status: 'resolved', name: 'example.test' }]);
    expect(asked).toEqual(['93.184.216.34']);
    s.dispose();
  });
});

describe('ReverseDnsCache', () => {
  it('runs at most `concurrency` lookups, bounds its cache, and caches failures briefly', async () => {
    let running = 0;
    let maxRunning = 0;
    const release: Array<() => void> = [];
    const cache = new ReverseDnsCache({
      concurrency: 4,
      maxEntries: 5,
      lookup: (a) =>
        new Promise((resolve, reject) => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          release.push(() => {
            running--;
            if (a.endsWith('.9')) reject(new Error('ENOTFOUND'));
            else resolve([`h${a.split('.').pop()}.test`]);
          });
        }),
    });
    const addresses = Array.from({ length: 10 }, (_, i) => `10.0.0.${i}`);
    expect(cache.query(addresses, () => true).every((r) => r.status === 'pending')).toBe(true);
    for (let i = 0; i < 20 && release.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 1));
      release.splice(0).forEach((f) => f());
      await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(maxRunning).toBe(4);
    expect(cache.busy).toBe(0);
    const answers = cache.query(addresses, () => true);
    // Only the last 5 stayed cached; the others are asked for again.
    expect(answers.filter((r) => r.status === 'pending')).toHaveLength(5);
    expect(answers.find((r) => r.address === '10.0.0.9')).toEqual({ address: '10.0.0.9', status: 'none', name: null });
    cache.dispose();
  });
});

describe('system-sockets commands at the dispatcher', () => {
  it('refuses unknown keys, names instead of addresses, and oversized lists', async () => {
    const { dispatch } = engineHost();
    for (const [command, payload] of [
      ['system-sockets:snapshot', { includeUnix: true, filter: '$(id)' }],
      ['system-sockets:snapshot', { includeUnix: ';touch /tmp/x' }],
      ['system-sockets:reverse-dns', { addresses: ['example.com'] }],
      ['system-sockets:reverse-dns', { addresses: ['1.2.3.4; rm -rf /'] }],
      ['system-sockets:reverse-dns', { addresses: Array.from({ length: 257 }, () => '1.2.3.4') }],
    ] as const) {
      const r = await dispatch(command, payload);
      expect(r.ok, `${command} ${JSON.stringify(payload).slice(0, 60)}`).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('VALIDATION');
    }
  });
});
