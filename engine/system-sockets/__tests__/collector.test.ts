/**
 * The collector's choices, with the commands faked: which commands run on which platform, the
 * ss → netstat fallback, joining, stale-on-failure, visibility, and the macOS/Windows merges.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SystemSocketsStatus } from '../../../shared/system-sockets';
import { SystemSocketsSnapshot } from '../../../shared/system-sockets';
import { SystemSocketsCollector, SystemSocketsError, linuxVisibilityIsLimited } from '../collector';
import { parseSs } from '../parse-ss';
import type { CommandResult, RunCommand } from '../run-command';
import { CommandRunError } from '../run-command';
import { findRow, fixture } from '../../testing/os-tables';

type Reply = CommandResult | Error | (() => Promise<CommandResult>);

/** A fake `run`: replies by command name (basename), records every call. */
function fakeRun(replies: Record<string, Reply | Reply[]>) {
  const calls: Array<{ command: string; args: readonly string[] }> = [];
  const run: RunCommand = async (command, args) => {
    calls.push({ command, args });
    const name = command.split(/[\\/]/).pop() ?? command;
    const entry = replies[name];
    const reply = Array.isArray(entry) ? entry.shift() : entry;
    if (reply === undefined) throw new CommandRunError('ENOENT', `${name} is not installed`);
    if (reply instanceof Error) throw reply;
    if (typeof reply === 'function') return reply();
    return reply;
  };
  return { run, calls };
}

const ok = (stdout: string): CommandResult => ({ stdout, stderr: '', exitCode: 0 });
const enoent = (name: string) => new CommandRunError('ENOENT', `${name} is not installed`);

const procRoots: string[] = [];
afterAll(() => {
  for (const dir of procRoots) rmSync(dir, { recursive: true, force: true });
});

/** A process table as the captures' machine had it: `{ pid: { fd: inode } }` as /proc/PID/fd/FD → socket:[INODE]. */
function fakeProc(held: Record<number, Record<number, number>>): string {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-proc-'));
  procRoots.push(root);
  for (const [pid, fds] of Object.entries(held)) {
    mkdirSync(join(root, pid, 'fd'), { recursive: true });
    for (const [fd, inode] of Object.entries(fds)) symlinkSync(`socket:[${inode}]`, join(root, pid, 'fd', fd));
  }
  return root;
}

let now = 1_000;
const clock = { now: () => (now += 5) };

describe('SystemSocketsCollector on Linux', () => {
  it('runs ss -tuanpie with a fixed argument array and parses it', async () => {
    const { run, calls } = fakeRun({ ss: ok(fixture('linux-ss-tuanpie.txt')) });
    const collector = new SystemSocketsCollector({ platform: 'linux', run, clock, getuid: () => 0 });
    const snapshot = await collector.snapshot();
    expect(calls).toEqual([{ command: 'ss', args: ['-tuanpie'] }]);
    expect(SystemSocketsSnapshot.parse(snapshot)).toEqual(snapshot);
    expect(snapshot).toMatchObject({ source: 'ss -tuanpie', skippedLines: 0, limitedVisibility: false });
    expect(snapshot.rows).toHaveLength(29);
    expect(snapshot.durationMs).toBeGreaterThan(0);
    expect(collector.status()).toMatchObject({ snapshot, stale: false, error: null, refreshing: false });
  });

  it('lists Unix sockets, only when asked, with a separate ss run: a Unix name never makes a TCP row', async () => {
    // Real captures: an abstract socket named "x\ntcp   LISTEN 0 128 127.0.0.1:47120 … sshd pid=1 …".
    const { run, calls } = fakeRun({
      ss: [ok(fixture('linux-hostile-ss-tuanpie.txt')), ok(fixture('linux-hostile-ss-xanpe.txt'))],
    });
    const procRoot = fakeProc({ 17944: { 5: 80025, 6: 80026 } });
    const snapshot = await new SystemSocketsCollector({ platform: 'linux', run, includeUnix: true, getuid: () => 0, procRoot }).snapshot();
    expect(calls.map((c) => c.args)).toEqual([['-tuanpie'], ['-xanpe']]);
    expect(snapshot.source).toBe('ss -tuanpie + ss -xanpe');
    expect(snapshot.skippedLines).toBe(0);
    expect(snapshot.rows.filter((r) => r.proto === 'unix')).toHaveLength(4);
    expect(snapshot.rows.some((r) => r.localPort === 47120)).toBe(false);
    expect(snapshot.rows.some((r) => r.processes.some((p) => p.pid === 1))).toBe(false);
    expect(new Set(snapshot.rows.map((r) => r.key)).size).toBe(snapshot.rows.length);
  });

  it('drops a Unix row whose named owner does not hold its socket: a path that spells a whole row blames nobody', async () => {
    // The abstract name "z\nu_str LISTEN 0 0 /run/fake.sock 7 * 0 users:((\"sshd\",pid=1,fd=3))\nu_str LISTEN 0 0 w"
    // as ss prints it: the middle line is a complete row of its own, as the parser must read it.
    const xanpe = [
      'Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess',
      'u_str LISTEN 0      128    @z',
      'u_str LISTEN 0 0 /run/fake.sock 7 * 0 users:(("sshd",pid=1,fd=3))',
      'u_str LISTEN 0 0 w 90001 * 0 users:(("node",pid=4242,fd=9)) <-> ino:90001 dev:0/8 peers:',
      'u_str LISTEN 0      128    /run/real.sock 90002 * 0 users:(("node",pid=4242,fd=10),("sshd",pid=1,fd=4)) <-> ino:90002 dev:0/8 peers:',
      '',
    ].join('\n');
    const { run } = fakeRun({ ss: [ok(''), ok(xanpe)] });
    expect(parseSs(xanpe, { kind: 'unix' }).rows.filter((r) => r.processes.some((p) => p.pid === 1))).toHaveLength(2);
    // pid 1 holds other sockets, not inode 7 nor 90002; pid 4242 holds both of its own.
    const procRoot = fakeProc({ 1: { 3: 11, 4: 12 }, 4242: { 9: 90001, 10: 90002 } });
    const snapshot = await new SystemSocketsCollector({ platform: 'linux', run, includeUnix: true, getuid: () => 0, procRoot }).snapshot();
    expect(snapshot.rows.filter((r) => r.localAddress === '/run/fake.sock')).toEqual([]);
    expect(snapshot.rows.filter((r) => r.processes.some((p) => p.pid === 1))).toEqual([]);
    expect(snapshot.rows.find((r) => r.localAddress === '/run/real.sock')).toMatchObject({ processes: [{ pid: 4242, name: 'node' }] });
    expect(snapshot.rows.find((r) => r.localAddress === 'w')).toMatchObject({ inode: 90001, processes: [{ pid: 4242, name: 'node' }] });
    expect(snapshot.skippedLines).toBeGreaterThanOrEqual(2);
  });

  it('falls back to netstat when ss is not installed, and stops trying ss', async () => {
    const { run, calls } = fakeRun({ ss: enoent('ss'), netstat: [ok(fixture('linux-netstat-tunaep.txt')), ok(fixture('linux-netstat-tunaep.txt'))] });
    const collector = new SystemSocketsCollector({ platform: 'linux', run, getuid: () => 0 });
    const first = await collector.snapshot();
    expect(first.source).toBe('netstat -tunaep');
    expect(first.rows).toHaveLength(29);
    await collector.snapshot();
    expect(calls.map((c) => `${c.command} ${c.args.join(' ')}`)).toEqual(['ss -tuanpie', 'netstat -tunaep', 'netstat -tunaep']);
  });

  it('does not fall back when ss exists but fails', async () => {
    const { run, calls } = fakeRun({ ss: new CommandRunError('ETIMEDOUT', 'ss did not finish'), netstat: ok('') });
    await expect(new SystemSocketsCollector({ platform: 'linux', run }).snapshot()).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(calls.map((c) => c.command)).toEqual(['ss']);
  });

  it('explains when neither tool is installed', async () => {
    const { run } = fakeRun({});
    const error = await new SystemSocketsCollector({ platform: 'linux', run }).snapshot().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SystemSocketsError);
    expect(error).toMatchObject({ code: 'ENOENT' });
    expect((error as Error).message).toMatch(/ss.*netstat/);
  });

  it('treats a non-zero exit with no output as a failure', async () => {
    const { run } = fakeRun({ ss: { stdout: '', stderr: 'Cannot open netlink socket: Permission denied\n', exitCode: 1 } });
    await expect(new SystemSocketsCollector({ platform: 'linux', run }).snapshot()).rejects.toMatchObject({
      code: 'ECOMMANDFAILED',
      message: expect.stringContaining('Permission denied'),
    });
  });
});

describe('SystemSocketsCollector joining and staleness', () => {
  it('joins a snapshot already running instead of starting another', async () => {
    let release: (r: CommandResult) => void = () => undefined;
    const pending = new Promise<CommandResult>((resolve) => (release = resolve));
    const { run, calls } = fakeRun({ ss: [() => pending, ok('')] });
    const collector = new SystemSocketsCollector({ platform: 'linux', run, getuid: () => 0 });
    const a = collector.snapshot();
    const b = collector.snapshot();
    const c = collector.refresh();
    expect(b).toBe(a);
    expect(collector.status().refreshing).toBe(true);
    release(ok(fixture('linux-ss-tuanpi.txt')));
    const [snapA, snapB, status] = await Promise.all([a, b, c]);
    expect(snapB).toBe(snapA);
    expect(status.snapshot).toBe(snapA);
    expect(calls).toHaveLength(1);
    // once finished, the next request runs again
    await collector.snapshot();
    expect(calls).toHaveLength(2);
  });

  it('keeps the last good rows, marked stale with the error, when a refresh fails', async () => {
    const { run } = fakeRun({
      ss: [ok(fixture('linux-ss-tuanpie.txt')), new CommandRunError('ETIMEDOUT', 'ss did not finish within 15 s'), ok('')],
    });
    const statuses: SystemSocketsStatus[] = [];
    const collector = new SystemSocketsCollector({ platform: 'linux', run, clock, getuid: () => 0, onStatus: (s) => statuses.push(s) });
    const good = await collector.snapshot();
    await expect(collector.snapshot()).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(collector.status()).toMatchObject({
      snapshot: good,
      stale: true,
      error: { code: 'ETIMEDOUT', message: 'ss did not finish within 15 s' },
      refreshing: false,
    });
    // refresh() never rejects; a later success clears the error
    const recovered = await collector.refresh();
    expect(recovered).toMatchObject({ stale: false, error: null });
    expect(recovered.snapshot?.rows).toEqual([]);
    expect(statuses.map((s) => [s.refreshing, s.stale])).toEqual([
      [true, false],
      [false, false],
      [true, false],
      [false, true],
      [true, true],
      [false, false],
    ]);
  });

  it('survives a listener that throws', async () => {
    const { run } = fakeRun({ ss: ok('') });
    const collector = new SystemSocketsCollector({ platform: 'linux', run, getuid: () => 0 });
    collector.subscribe(() => {
      throw new Error('broken listener');
    });
    let seen = 0;
    const unsubscribe = collector.subscribe(() => seen++);
    await collector.snapshot();
    expect(seen).toBe(2);
    unsubscribe();
    await collector.snapshot();
    expect(seen).toBe(2);
  });
});

describe('limited visibility (Linux)', () => {
  const text = [
    'Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
    'tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* ino:100 sk:1',
    'tcp LISTEN 0 128 127.0.0.1:5000 0.0.0.0:* users:(("me",pid=9,fd=3)) uid:1000 ino:101 sk:2',
    'tcp TIME-WAIT 0 0 127.0.0.1:5001 127.0.0.1:5000 timer:(timewait,50sec,0) ino:0 sk:3',
  ].join('\n');
  const rows = parseSs(text).rows;

  it('is limited when not root and another user’s socket shows no process', () => {
    expect(linuxVisibilityIsLimited(rows, 1000)).toBe(true);
  });

  it('is not limited for root, nor for orphans and our own sockets', () => {
    expect(linuxVisibilityIsLimited(rows, 0)).toBe(false);
    expect(linuxVisibilityIsLimited(rows.slice(1), 1000)).toBe(false);
    expect(linuxVisibilityIsLimited(rows, null)).toBe(false);
  });

  it('is reported in the snapshot', async () => {
    const { run } = fakeRun({ ss: ok(text) });
    expect((await new SystemSocketsCollector({ platform: 'linux', run, getuid: () => 1000 }).snapshot()).limitedVisibility).toBe(true);
    const { run: run2 } = fakeRun({ ss: ok(text) });
    expect((await new SystemSocketsCollector({ platform: 'linux', run: run2, getuid: () => 0 }).snapshot()).limitedVisibility).toBe(false);
  });
});

describe('SystemSocketsCollector on macOS', () => {
  const tcp = fixture('synthetic-macos-netstat-anvW-tcp.txt');
  const udp = fixture('synthetic-macos-netstat-anv-udp-legacy.txt');
  const lsof = fixture('synthetic-macos-lsof-nP-iTCP-iUDP.txt');

  it('runs netstat for tcp and udp and lsof, and names netstat’s pids from lsof', async () => {
    const { run, calls } = fakeRun({ netstat: [ok(tcp), ok(udp)], lsof: { stdout: lsof, stderr: '', exitCode: 1 } });
    const snapshot = await new SystemSocketsCollector({ platform: 'darwin', run, getuid: () => 501 }).snapshot();
    expect(calls.map((c) => `${c.command} ${c.args.join(' ')}`).sort()).toEqual([
      'lsof -nP -iTCP -iUDP -F pcfdtPTn',
      'netstat -anvW -p tcp',
      'netstat -anvW -p udp',
    ]);
    expect(snapshot.source).toBe('netstat -anvW -p tcp|udp + lsof -nP -iTCP -iUDP -F pcfdtPTn');
    // the legacy -v pid column has no names: lsof supplies them
    expect(findRow(snapshot.rows, { proto: 'udp', localPort: 60000 })?.processes).toEqual([{ pid: 9001, name: 'curl' }]);
    // a socket lsof saw with two processes
    expect(findRow(snapshot.rows, { proto: 'udp', localPort: 61000 })?.processes).toEqual([
      { pid: 4312, name: 'node' },
      { pid: 4313, name: 'node' },
    ]);
    // UDP *:5353 appears twice in both tools: paired in order, not merged
    expect(snapshot.rows.filter((r) => r.localPort === 5353)).toHaveLength(2);
    // a socket without any process visible to us (not root): limited visibility
    expect(snapshot.limitedVisibility).toBe(true);
    expect(new Set(snapshot.rows.map((r) => r.key)).size).toBe(snapshot.rows.length);
  });

  it('uses lsof alone when netstat fails, and netstat alone when lsof fails', async () => {
    const a = fakeRun({ netstat: [new CommandRunError('ETIMEDOUT', 'slow'), new CommandRunError('ETIMEDOUT', 'slow')], lsof: ok(lsof) });
    const lsofOnly = await new SystemSocketsCollector({ platform: 'darwin', run: a.run, getuid: () => 0 }).snapshot();
    expect(lsofOnly.source).toBe('lsof -nP -iTCP -iUDP -F pcfdtPTn');
    expect(lsofOnly.rows.length).toBeGreaterThan(0);

    const b = fakeRun({ netstat: [ok(tcp), ok(udp)], lsof: new CommandRunError('ENOENT', 'no lsof') });
    const netstatOnly = await new SystemSocketsCollector({ platform: 'darwin', run: b.run, getuid: () => 0 }).snapshot();
    expect(netstatOnly.source).toBe('netstat -anvW -p tcp|udp');
    expect(netstatOnly.rows).toHaveLength(19);
  });

  it('fails when neither netstat nor lsof works', async () => {
    const { run } = fakeRun({ netstat: [new CommandRunError('ETIMEDOUT', 'slow'), new CommandRunError('ETIMEDOUT', 'slow')] });
    await expect(new SystemSocketsCollector({ platform: 'darwin', run }).snapshot()).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });
});

describe('SystemSocketsCollector on Windows', () => {
  it('runs netstat -ano and tasklist by absolute path and names pids', async () => {
    const { run, calls } = fakeRun({
      'NETSTAT.EXE': ok(fixture('synthetic-windows-netstat-ano-states.txt')),
      'tasklist.exe': ok(fixture('synthetic-tasklist.csv')),
    });
    const snapshot = await new SystemSocketsCollector({ platform: 'win32', run, systemRoot: 'C:\\Windows' }).snapshot();
    expect(calls.map((c) => [c.command, c.args])).toEqual([
      ['C:\\Windows\\System32\\NETSTAT.EXE', ['-ano']],
      ['C:\\Windows\\System32\\tasklist.exe', ['/fo', 'csv', '/nh']],
    ]);
    expect(snapshot.source).toBe('netstat -ano + tasklist /fo csv /nh');
    expect(snapshot.limitedVisibility).toBe(false);
    expect(findRow(snapshot.rows, { localPort: 135, localAddress: '0.0.0.0' })?.processes).toEqual([{ pid: 1712, name: 'svchost.exe' }]);
    expect(findRow(snapshot.rows, { localPort: 50000 })?.processes).toEqual([{ pid: 901, name: 'my, "quoted" app.exe' }]);
    expect(findRow(snapshot.rows, { localPort: 500 })?.processes).toEqual([{ pid: 6856, name: null }]);
  });

  it('still lists sockets when tasklist fails', async () => {
    const { run } = fakeRun({ 'NETSTAT.EXE': ok(fixture('jc-windows-10-netstat-aon.txt')), 'tasklist.exe': new CommandRunError('ETIMEDOUT', 'slow') });
    const snapshot = await new SystemSocketsCollector({ platform: 'win32', run, systemRoot: 'C:\\Windows' }).snapshot();
    expect(snapshot.source).toBe('netstat -ano');
    expect(snapshot.rows).toHaveLength(208);
  });
});

describe('SystemSocketsCollector elsewhere', () => {
  it('uses lsof on other Unixes', async () => {
    const { run, calls } = fakeRun({ lsof: ok(fixture('linux-lsof-nP-iTCP-iUDP.txt')) });
    const snapshot = await new SystemSocketsCollector({ platform: 'freebsd', run, getuid: () => 1001 }).snapshot();
    expect(calls).toEqual([{ command: 'lsof', args: ['-nP', '-iTCP', '-iUDP', '-F', 'pcfdtPTn'] }]);
    expect(snapshot.limitedVisibility).toBe(true);
    expect(snapshot.rows).toHaveLength(20);
  });

  it('reads lsof’s field output whole: names with newlines and U+202E stay one name', async () => {
    const { run } = fakeRun({ lsof: ok(fixture('linux-hostile-lsof-F.txt')) });
    const snapshot = await new SystemSocketsCollector({ platform: 'freebsd', run, getuid: () => 0 }).snapshot();
    expect(snapshot.rows).toHaveLength(6);
    expect(findRow(snapshot.rows, { localPort: 57527 })?.processes).toEqual([{ pid: 17944, name: 'a\nb\u202Egnp.exe' }]);
    expect(findRow(snapshot.rows, { localPort: 59490 })?.processes).toEqual([{ pid: 17945, name: '\nudp UNCONN 0 0' }]);
  });
});
