/**
 * The receive buffer an endpoint asks for is what keeps a burst that arrives while the engine is
 * busy for a moment: the datagrams wait in the kernel instead of being dropped there. Proven with
 * a real burst from another process while this process (the engine's) is held busy.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestHost } from '../testing/test-host';
import { sleep, waitFor } from '../testing/wait';

const BURST = 3000;

let t: TestHost;
beforeEach(() => {
  t = new TestHost();
});
afterEach(async () => {
  await t.dispose();
});

/** Sends BURST × 64-byte datagrams from a child process, then holds this process's loop until they are all sent. */
async function burstWhileBusy(port: number): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:dgram').createSocket('udp4'); const b = Buffer.alloc(64, 0x75); let n = 0;
       const go = () => { while (n < ${BURST}) { n++; s.send(b, ${port}, '127.0.0.1', n === ${BURST} ? () => { console.log('sent'); s.close(); } : undefined); if (n % 200 === 0) return setImmediate(go); } };
       go();`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // Busy until the child has sent everything and exited: nothing is read meanwhile, so every
  // datagram waits in the kernel. Its exit shows in /proc (a zombie until this loop is free to reap it).
  const status = `/proc/${child.pid}/status`;
  const until = Date.now() + 10_000;
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  while (Date.now() < until) {
    let state = '';
    try {
      state = readFileSync(status, 'utf8');
    } catch {
      break;
    }
    if (/^State:\s+[ZX]/m.test(state)) break;
    const spin = Date.now() + 10;
    while (Date.now() < spin) {
      /* busy: the engine cannot read */
    }
  }
  await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
  expect(out).toContain('sent');
}

function rmemMax(): number {
  try {
    return Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
  } catch {
    return 0;
  }
}

describe('UDP receive buffer (SO_RCVBUF)', () => {
  it('a burst that arrives while the engine is busy waits in the kernel: all of it with the default buffer, little with the smallest', async () => {
    const big = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const small = await t.bind({ bindAddress: '127.0.0.1', port: 0, receiveBufferBytes: 4096 });
    const portOf = (s: typeof big) => (s.local?.kind === 'inet' ? s.local.port : 0);
    const calls = t.calls(big.id).find((c) => c.startsWith('setsockopt(SO_RCVBUF'));
    const granted = Number(/(\d+) bytes/.exec(calls ?? '')?.[1]);

    await burstWhileBusy(portOf(small));
    await burstWhileBusy(portOf(big));
    const received = async (id: string) => {
      const count = () => (t.engine.getEndpoint(id)?.snapshot() as { stats: { chunksIn: number } }).stats.chunksIn;
      await waitFor(() => count() > 0, 'the endpoint read what the kernel kept');
      // Settled: the count stopped moving.
      for (let last = -1; last !== count(); ) {
        last = count();
        await sleep(200);
      }
      return count();
    };
    const smallGot = await received(small.id);
    const bigGot = await received(big.id);
    // 4 KiB holds a handful of small datagrams (each costs the kernel ~1 KiB of bookkeeping).
    expect(smallGot).toBeLessThan(BURST / 4);
    if (rmemMax() >= 4 * 1024 * 1024 || process.platform !== 'linux') {
      expect(calls).toMatch(/→ ok: \d+ bytes$/);
      expect(bigGot).toBe(BURST);
    } else {
      // A kernel that caps the buffer lower says so, and the endpoint still keeps more than the small one.
      expect(calls).toMatch(/the system granted \d+ bytes/);
      expect(granted).toBeGreaterThan(0);
      expect(bigGot).toBeGreaterThan(smallGot);
    }
  });
});
