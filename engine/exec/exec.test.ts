/**
 * The exec listener with real programs (/bin/cat, /usr/bin/tr, /usr/bin/env, /bin/sleep…) and
 * real clients (raw sockets, ncat): stdin/stdout through the socket, exit status and signals in
 * the timeline, stderr apart, kill on client close, One at a time, and every bound.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { CommandRequest } from '../../shared/contract';
import { rawClient } from '../testing/tcp-peers';
import { type TestHost, useTestHosts } from '../testing/test-host';
import { sleep, waitFor } from '../testing/wait';
import { splitCommand } from './parse-command';

const host = useTestHosts();

async function execListener(h: TestHost, exec: NonNullable<Extract<CommandRequest<'tcp:listen'>, { port?: unknown }>['exec']>) {
  const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, exec });
  const local = h.listener(endpointId).local;
  if (local?.kind !== 'inet') throw new Error('not listening');
  return { id: endpointId, port: local.port };
}

const calls = (h: TestHost, id: string) => h.listener(id).timeline.map((t) => `${t.call} → ${t.result}`);
const clientOf = (h: TestHost, id: string, n = 0) => h.conversation(h.listener(id).clientIds[n] as string);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('exec listener', () => {
  it('runs /bin/cat per client: input echoed, FIN is EOF, its exit closes the client', async () => {
    const h = host();
    const { id, port } = await execListener(h, { command: '/bin/cat' });
    const c = await rawClient(port);
    c.socket.write('hello\n');
    await waitFor(() => c.received().toString() === 'hello\n', 'cat to echo');
    c.socket.end();
    await c.ended;
    await waitFor(() => calls(h, id).some((x) => /waitpid\(\d+\) → exited with status 0/.test(x)), 'the exit in the timeline');
    expect(calls(h, id).some((x) => /execve → \/bin\/cat → pid \d+/.test(x))).toBe(true);
    expect(clientOf(h, id).exec).toMatchObject({ state: 'exited', exitCode: 0, signal: null, argv: ['/bin/cat'] });
  });

  it('upper-cases what ncat sends through /usr/bin/tr a-z A-Z (split like a shell, no shell)', async () => {
    const h = host();
    const { port } = await execListener(h, { command: "/usr/bin/tr 'a-z' A-Z" });
    const out = await new Promise<string>((resolve, reject) => {
      const p = execFile('ncat', ['127.0.0.1', String(port)], { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
      p.stdin?.end('hello exec\n');
    });
    expect(out).toBe('HELLO EXEC\n');
  });

  it('a command that exits at once closes the client at once; a failing one says its status', async () => {
    const h = host();
    const ok = await execListener(h, { command: 'true' });
    const c = await rawClient(ok.port);
    await c.ended;
    await waitFor(() => calls(h, ok.id).some((x) => /exited with status 0/.test(x)), 'true to exit');
    const bad = await execListener(h, { command: '/bin/ls /nonexistent-sockscope-dir' });
    const d = await rawClient(bad.port);
    await d.ended;
    await waitFor(() => clientOf(h, bad.id).exec?.state === 'exited', 'ls to exit');
    const info = clientOf(h, bad.id).exec!;
    expect(info.exitCode).toBe(2);
    // stderr is kept apart: shown with the process, never in the traffic.
    expect(info.stderr).toMatch(/No such file or directory/);
    expect(d.received().length).toBe(0);
    expect(h.listener(bad.id).timeline.find((t) => t.call.includes('waitpid'))?.ok).toBe(false);
  });

  it('a command that never reads stops the client being read (bounded)', async () => {
    const h = host();
    const { id, port } = await execListener(h, { command: '/bin/sleep 30' });
    const c = await rawClient(port);
    await waitFor(() => clientOf(h, id).exec?.pid, 'sleep to start');
    const pid = clientOf(h, id).exec!.pid!;
    const block = Buffer.alloc(256 * 1024, 0x61);
    let written = 0;
    for (let i = 0; i < 64 && c.socket.writableLength < 8 * 1024 * 1024; i++) {
      c.socket.write(block);
      written += block.length;
    }
    await sleep(500);
    expect(written).toBeGreaterThan(4 * 1024 * 1024);
    expect(clientOf(h, id).stats.bytesIn).toBeLessThan(2 * 1024 * 1024);
    // While we do not read, the client's FIN waits behind its data in the kernel: closing the
    // listener is what ends this one (docs/exec.md).
    await h.call('endpoint:close', { endpointId: id });
    await waitFor(() => !alive(pid), 'sleep to be killed', 5000);
  });

  it('kills the process when the client goes, and says so in the timeline', async () => {
    const h = host();
    const { id, port } = await execListener(h, { command: '/bin/sleep 30' });
    const c = await rawClient(port);
    await waitFor(() => clientOf(h, id).exec?.pid, 'sleep to start');
    const pid = clientOf(h, id).exec!.pid!;
    c.socket.write('a few bytes it never reads\n');
    await sleep(50);
    // Gone, not half-closed: a FIN alone is EOF on stdin (the program may still answer); an RST,
    // or a FIN followed by our next write failing, is the client going.
    c.socket.resetAndDestroy();
    await waitFor(() => !alive(pid), 'sleep to be killed', 5000);
    await waitFor(() => calls(h, id).some((x) => x.includes('killed by SIGTERM')), 'the signal in the timeline');
    expect(calls(h, id).some((x) => x.startsWith(`[${h.listener(id).clientIds[0]}] kill(${pid}, SIGTERM)`))).toBe(true);
  });

  it('One at a time: the second client waits (shown waiting), then gets its turn', async () => {
    const h = host();
    const { id, port } = await execListener(h, { command: '/bin/cat', mode: 'one-at-a-time' });
    const a = await rawClient(port);
    await waitFor(() => clientOf(h, id, 0).exec?.state === 'running', 'a to run');
    const b = await rawClient(port);
    await waitFor(() => h.listener(id).clientIds.length === 2 && clientOf(h, id, 1).exec?.state === 'waiting', 'b to wait');
    expect(clientOf(h, id, 1).exec?.position).toBe(0);
    expect(h.listener(id).execProcesses).toEqual({ running: 1, waiting: 1 });
    b.socket.write('from b\n');
    await sleep(200);
    expect(b.received().length).toBe(0);
    a.socket.end();
    await a.ended;
    await waitFor(() => b.received().toString() === 'from b\n', 'b to be served after a');
  });

  it('gives the program a reduced environment with the ucspi-tcp variables', async () => {
    const h = host();
    process.env.SOCKSCOPE_TEST_SECRET = 'do-not-leak';
    try {
      const { port } = await execListener(h, { command: '/usr/bin/env' });
      const c = await rawClient(port);
      await c.ended;
      const env = c.received().toString();
      expect(env).toMatch(/^TCPREMOTEIP=127\.0\.0\.1$/m);
      expect(env).toMatch(/^TCPLOCALPORT=\d+$/m);
      expect(env).toMatch(/^PROTO=TCP$/m);
      expect(env).not.toContain('SOCKSCOPE_TEST_SECRET');
    } finally {
      delete process.env.SOCKSCOPE_TEST_SECRET;
    }
  });

  it('marks a partial line pending, and input with no output since (stdio buffering)', async () => {
    const h = host();
    const cat = await execListener(h, { command: '/bin/cat' });
    const c = await rawClient(cat.port);
    c.socket.write('prompt> ');
    await waitFor(() => clientOf(h, cat.id).exec?.partialLine, 'the partial line marker');
    // sed reading a pipe holds its output until its buffer fills or input ends: the classic pitfall.
    const sed = await execListener(h, { command: '/usr/bin/sed -n p' });
    const d = await rawClient(sed.port);
    await waitFor(() => clientOf(h, sed.id).exec?.state === 'running', 'sed to start');
    d.socket.write('line\n');
    await waitFor(() => clientOf(h, sed.id).exec?.quietAfterInput, 'the quiet-after-input hint', 4000);
  });

  it('refuses shell syntax, a missing program, and a non-loopback bind without confirmation', async () => {
    const h = host();
    expect(() => splitCommand('cat | wc')).toThrow(/"\|" is shell syntax/);
    expect(() => splitCommand('a # b')).toThrow(/shell comment/);
    expect(splitCommand('echo "a b" $HOME *.txt')).toEqual(['echo', 'a b', '$HOME', '*.txt']);
    const missing = await h.fail('tcp:listen', { bindAddress: '127.0.0.1', port: 0, exec: { command: 'no-such-program-sockscope' } });
    expect(missing.message).toMatch(/no program "no-such-program-sockscope" in PATH/);
    const remote = await h.fail('tcp:listen', { bindAddress: '0.0.0.0', port: 0, exec: { command: '/bin/cat' } });
    expect(remote.code).toBe('VALIDATION');
    expect(remote.message).toMatch(/lets anyone who can reach it run "\/bin\/cat" as you/);
    const cwd = await h.fail('tcp:listen', { bindAddress: '127.0.0.1', port: 0, exec: { command: '/bin/cat', cwd: '/nonexistent-sockscope' } });
    expect(cwd.message).toMatch(/is not a directory/);
    expect(h.engine.snapshot().endpoints).toHaveLength(0);
  });

  it('closing the listener kills every process', async () => {
    const h = host();
    const { id, port } = await execListener(h, { command: '/bin/cat', maxProcesses: 4 });
    const clients = await Promise.all([rawClient(port), rawClient(port), rawClient(port)]);
    await waitFor(() => h.listener(id).execProcesses?.running === 3, 'three processes');
    const pids = h.listener(id).clientIds.map((c) => h.conversation(c).exec!.pid!);
    await h.call('endpoint:close', { endpointId: id });
    await waitFor(() => pids.every((p) => !alive(p)), 'every cat to be gone', 5000);
    for (const c of clients) c.socket.destroy();
  });
});
