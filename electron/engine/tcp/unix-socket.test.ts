import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeUnixPath } from './unix-socket';
import { ALL_BYTES, b64, cleanupPeers, makeHost, rawClient, track, trafficBytes, waitFor, type TestHost } from './test-helpers';

let hosts: TestHost[] = [];
let dir = '';
function host(): TestHost {
  const h = makeHost();
  hosts.push(h);
  return h;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sockscope-unix-'));
});

afterEach(async () => {
  await cleanupPeers();
  await Promise.all(hosts.map((h) => h.engine.shutdown()));
  hosts = [];
  rmSync(dir, { recursive: true, force: true });
});

/** A socket file whose server was killed without cleaning up: the classic stale path. */
async function makeStaleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`], {
    stdio: 'ignore',
  });
  track(() => {
    child.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('stale-socket child did not exit')), 5000);
    child.on('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
  expect(lstatSync(path).isSocket()).toBe(true);
}

describe('Unix domain stream sockets', () => {
  it('listens and connects on a path, moves bytes both ways, and removes the file on close', async () => {
    const h = host();
    const path = join(dir, 'echo.sock');
    const { endpointId: lid } = await h.call('tcp:listen', { path, behaviour: { mode: 'echo' } });
    const l = h.listener(lid);
    expect(l.state).toBe('listening');
    expect(l.local).toEqual({ kind: 'unix', path });
    expect(l.request).toMatchObject({ path, bindAddress: null, port: null });
    expect(l.timeline.map((t) => t.call)).toEqual(['socket(AF_UNIX, SOCK_STREAM)', `bind(${path})`, 'listen(511)']);
    expect(lstatSync(path).isSocket()).toBe(true);

    const { endpointId: cid } = await h.call('tcp:connect', { path });
    const c = await waitFor(() => {
      const s = h.connection(cid);
      return s.state === 'established' ? s : undefined;
    }, 'unix connection');
    expect(c.remote).toEqual({ kind: 'unix', path });
    expect(c.timeline.map((t) => `${t.call} → ${t.result}`)).toEqual(['socket(AF_UNIX, SOCK_STREAM) → ok', `connect(${path}) → ok`]);
    expect(h.engine.recentHosts.list()[0]).toBe(path);
    await h.call('conversation:send', { conversationId: c.conversationId!, data: b64(ALL_BYTES) });
    await waitFor(async () => (await trafficBytes(h, c.conversationId!, 'in')).equals(ALL_BYTES), 'echo over the unix socket');
    const accepted = h.listener(lid).clientIds[0]!;
    expect(h.conversation(accepted).local).toEqual({ kind: 'unix', path });
    expect((await h.fail('conversation:reset', { conversationId: accepted })).message).toMatch(/no RST/);

    // Half-close works on stream sockets too: our FIN reaches the echo server, which then closes.
    await h.call('conversation:shutdown', { conversationId: c.conversationId! });
    await waitFor(() => h.connection(cid).state === 'closed', 'closed over unix');
    expect(h.conversation(accepted).firstToClose).toBe('peer');
    expect(h.conversation(c.conversationId!).firstToClose).toBe('local');
    expect(h.listener(lid).timeline.map((t) => `${t.call} → ${t.result}`)).toContain(`[${accepted}] recv() → 0 (peer sent FIN)`);

    await h.call('endpoint:close', { endpointId: lid });
    expect(existsSync(path)).toBe(false);
    expect(h.listener(lid).state).toBe('closed');
  });

  it('a raw client can talk to a unix listener, and engine shutdown removes the file', async () => {
    const h = host();
    const path = join(dir, 'raw.sock');
    const { endpointId } = await h.call('tcp:listen', { path, behaviour: { mode: 'auto-reply', reply: b64('hi\n') } });
    const c = await rawClient(0, '', { path });
    c.socket.write('x');
    await waitFor(() => c.received().toString() === 'hi\n', 'reply');
    expect(h.listener(endpointId).clientIds).toHaveLength(1);
    await h.engine.shutdown();
    expect(existsSync(path)).toBe(false);
  });

  it('connect to a stale path says so; unix:remove-stale removes it; then listening works', async () => {
    const h = host();
    const path = join(dir, 'stale.sock');
    await makeStaleSocket(path);
    expect(await probeUnixPath(path)).toBe('stale');

    const { endpointId: cid } = await h.call('tcp:connect', { path });
    const c = await waitFor(() => {
      const s = h.connection(cid);
      return s.state === 'closed' && s.error ? s : undefined;
    }, 'stale connect fails');
    expect(c.error).toMatchObject({ code: 'ESTALE_SOCKET', detail: path });
    expect(c.error!.message).toMatch(/nothing listens/);
    expect(c.timeline.map((t) => `${t.call} → ${t.result}`)).toContain(`connect(${path}) → ECONNREFUSED`);

    const { endpointId: lid } = await h.call('tcp:listen', { path });
    const l = h.listener(lid);
    expect(l.state).toBe('closed');
    expect(l.error).toMatchObject({ code: 'ESTALE_SOCKET', detail: path });
    expect(l.timeline.map((t) => `${t.call} → ${t.result}`)).toContain(`bind(${path}) → EADDRINUSE`);

    expect(await h.call('unix:remove-stale', { path })).toEqual({ ok: true });
    expect(existsSync(path)).toBe(false);
    const again = await h.call('tcp:listen', { path });
    expect(h.listener(again.endpointId).state).toBe('listening');
  });

  it('unix:remove-stale refuses anything that is not a stale socket', async () => {
    const h = host();
    const file = join(dir, 'regular-file');
    writeFileSync(file, 'keep me');
    const e1 = await h.fail('unix:remove-stale', { path: file });
    expect(e1).toMatchObject({ code: 'INVALID_STATE' });
    expect(e1.message).toMatch(/not a socket/);
    expect(existsSync(file)).toBe(true);

    const live = join(dir, 'live.sock');
    await h.call('tcp:listen', { path: live });
    const e2 = await h.fail('unix:remove-stale', { path: live });
    expect(e2.message).toMatch(/is listening/);
    expect(lstatSync(live).isSocket()).toBe(true);

    expect((await h.fail('unix:remove-stale', { path: join(dir, 'missing.sock') })).code).toBe('NOT_FOUND');
    expect((await h.fail('unix:remove-stale', { path: dir })).code).toBe('INVALID_STATE');
    expect(existsSync(dir)).toBe(true);
  });

  it('explains a path that is in use by a live server, a regular file, and a missing directory', async () => {
    const h = host();
    const live = join(dir, 'live.sock');
    await h.call('tcp:listen', { path: live });
    const inUse = h.listener((await h.call('tcp:listen', { path: live })).endpointId);
    expect(inUse.error?.code).toBe('EADDRINUSE');

    const file = join(dir, 'file');
    writeFileSync(file, '');
    const onFile = h.listener((await h.call('tcp:listen', { path: file })).endpointId);
    expect(onFile.error).toMatchObject({ code: 'EADDRINUSE', detail: 'the path exists and is not a socket file' });
    expect(existsSync(file)).toBe(true);

    const noDir = h.listener((await h.call('tcp:listen', { path: join(dir, 'no', 'such', 'dir.sock') })).endpointId);
    // Linux reports ENOENT; gVisor reports EACCES. The explanation names the missing folder either way.
    expect(['ENOENT', 'EACCES']).toContain(noDir.error?.code);
    expect(noDir.error?.message).toMatch(/folder that should hold the socket file does not exist/);
    expect(noDir.error?.detail).toBe(`${join(dir, 'no', 'such')} does not exist`);

    const { endpointId } = await h.call('tcp:connect', { path: join(dir, 'nothing.sock') });
    const c = await waitFor(() => {
      const s = h.connection(endpointId);
      return s.state === 'closed' && s.error ? s : undefined;
    }, 'connect to a missing path');
    expect(c.error?.code).toBe('ENOENT');
    expect(c.error?.message).toMatch(/nothing listens/);
    expect((await h.fail('tcp:listen', { path: live, port: 1 })).code).toBe('VALIDATION');
  });
});
