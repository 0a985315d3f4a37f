import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeUnixPath, unixPathMaxBytes } from './unix-socket';
import { ALL_BYTES, b64 } from '../testing/bytes';
import { cleanupPeers, track } from '../testing/cleanup';
import { rawClient, trafficBytes } from '../testing/tcp-peers';
import { TestHost } from '../testing/test-host';
import { waitFor } from '../testing/wait';

let hosts: TestHost[] = [];
let dir = '';
function host(): TestHost {
  const h = new TestHost();
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

/** The `<private folder>/d` alias a listener was bound through, read from its timeline. */
function aliasOf(calls: string[]): string {
  const m = calls.map((c) => /^symlink\(.*, (\/tmp\/sockscope-[^/]+\/d)\)$/.exec(c)).find(Boolean);
  if (!m) throw new Error(`no alias in ${calls.join(' | ')}`);
  return m[1]!;
}

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
    // Bound through a private alias of the folder (unix-socket-file.ts), so that closing can never
    // remove a file that took our socket's place.
    const alias = aliasOf(l.timeline.map((t) => t.call));
    expect(l.timeline.map((t) => t.call)).toEqual(['socket(AF_UNIX, SOCK_STREAM)', `symlink(${dir}, ${alias})`, `bind(${alias}/echo.sock)`, 'listen(511)']);
    expect(lstatSync(path).isSocket()).toBe(true);

    const { endpointId: cid } = await h.call('tcp:connect', { path });
    const c = await waitFor(() => {
      const s = h.connection(cid);
      return s.state === 'established' ? s : undefined;
    }, 'unix connection');
    expect(c.remote).toEqual({ kind: 'unix', path });
    expect(c.timeline.map((t) => `${t.call} → ${t.result}`)).toEqual(['socket(AF_UNIX, SOCK_STREAM) → ok', `connect(${path}) → ok`]);
    expect(h.engine.recentHosts.list('unix')[0]).toBe(path);
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
    expect(existsSync(dirname(alias))).toBe(false);
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
    expect(l.timeline.map((t) => `${t.call} → ${t.result}`)).toContain(`bind(${aliasOf(l.timeline.map((t) => t.call))}/stale.sock) → EADDRINUSE`);

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

describe('socket paths that do not fit in sun_path', () => {
  const max = unixPathMaxBytes();

  /** An absolute path in the test folder of exactly `bytes` bytes, its name made of `unit` (then x). */
  function pathOfBytes(bytes: number, unit = 'x'): string {
    let path = `${dir}/`;
    while (Buffer.byteLength(path + unit) <= bytes) path += unit;
    while (Buffer.byteLength(path) < bytes) path += 'x';
    return path;
  }

  async function expectRefused(h: TestHost, path: string): Promise<void> {
    const before = readdirSync(dir).sort();
    const l = h.listener((await h.call('tcp:listen', { path })).endpointId);
    expect(l.state).toBe('closed');
    expect(l.error).toMatchObject({ code: 'ENAMETOOLONG', syscall: 'bind' });
    expect(l.error?.message).toMatch(/Path too long .*at most (107|103) bytes .*counted in UTF-8.*Use a shorter path/);
    expect(l.error?.detail).toBe(`${Buffer.byteLength(path)} bytes (UTF-8); at most ${max} fit. A relative path counts from Sockscope's working folder, ${process.cwd()}`);
    expect(l.timeline.map((t) => `${t.call} → ${t.result}`)).toEqual([`bind(${path}) → ENAMETOOLONG (refused before socket())`]);
    const { endpointId } = await h.call('tcp:connect', { path });
    const c = await waitFor(() => {
      const s = h.connection(endpointId);
      return s.state === 'closed' && s.error ? s : undefined;
    }, 'connect refused');
    expect(c.error).toMatchObject({ code: 'ENAMETOOLONG', syscall: 'connect' });
    expect(c.timeline.map((t) => t.call)).toEqual([`connect(${path})`]); // no socket() was made
    // Nothing on disk: libuv would have bound a file with the name cut to 108 bytes.
    expect(readdirSync(dir).sort()).toEqual(before);
  }

  it(`binds and connects at ${max} bytes; ${max + 1} and more are refused before bind() and connect(), creating nothing`, async () => {
    const h = host();
    const fits = pathOfBytes(max);
    const l = h.listener((await h.call('tcp:listen', { path: fits, behaviour: { mode: 'echo' } })).endpointId);
    expect(l.state).toBe('listening');
    expect(lstatSync(fits).isSocket()).toBe(true);
    const { endpointId } = await h.call('tcp:connect', { path: fits });
    await waitFor(() => h.connection(endpointId).state === 'established', 'connected at the limit');

    await expectRefused(h, pathOfBytes(max + 1));
    await expectRefused(h, pathOfBytes(max + 20));
  });

  it('counts bytes in UTF-8, not characters', async () => {
    const h = host();
    const fits = pathOfBytes(max, 'é'); // 2 bytes each
    expect([...fits].length).toBeLessThan(max);
    expect(h.listener((await h.call('tcp:listen', { path: fits })).endpointId).state).toBe('listening');
    expect(lstatSync(fits).isSocket()).toBe(true);

    const tooLong = `${fits}é`;
    expect([...tooLong].length).toBeLessThanOrEqual(max); // fits in characters, not in bytes
    await expectRefused(h, tooLong);
    await expectRefused(h, pathOfBytes(max + 2, '🔌')); // 4 bytes each
  });

  it('the advice works: the same name, relative to its folder, binds and is removed on close', async () => {
    const h = host();
    const deep = join(dir, 'a'.repeat(40));
    mkdirSync(deep);
    const name = 'n'.repeat(90);
    await expectRefused(h, join(deep, name));
    const cwd = process.cwd();
    process.chdir(deep);
    try {
      const { endpointId } = await h.call('tcp:listen', { path: name });
      const l = h.listener(endpointId);
      expect(l.state).toBe('listening');
      // Its alias would not fit in sun_path: the name itself is bound (libuv removes it on close).
      expect(l.timeline.map((t) => t.call)).toEqual(['socket(AF_UNIX, SOCK_STREAM)', `bind(${name})`, 'listen(511)']);
      expect(lstatSync(join(deep, name)).isSocket()).toBe(true);
      await h.call('endpoint:close', { endpointId });
      expect(existsSync(join(deep, name))).toBe(false);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('closing a Unix listener removes only its own socket file', () => {
  const KEEP = 'a regular file that took the socket path: closing must not remove it\n';

  it('a regular file put in place of the socket file survives close', async () => {
    const h = host();
    const path = join(dir, 'replaced.sock');
    const { endpointId } = await h.call('tcp:listen', { path });
    rmSync(path);
    writeFileSync(path, KEEP);
    await h.call('endpoint:close', { endpointId });
    expect(readFileSync(path, 'utf8')).toBe(KEEP);
    const alias = aliasOf(h.listener(endpointId).timeline.map((t) => t.call));
    expect(existsSync(dirname(alias))).toBe(false); // the private alias folder is gone too
  });

  it("a newer server's socket at the path survives close, and still answers", async () => {
    const h = host();
    const path = join(dir, 'taken-over.sock');
    const { endpointId } = await h.call('tcp:listen', { path });
    // What many servers do on start: unlink the path, then bind their own socket there.
    rmSync(path);
    const other = createServer((s) => s.end('the other server\n'));
    await new Promise<void>((resolve) => other.listen(path, resolve));
    track(() => new Promise<void>((resolve) => other.close(() => resolve())));
    await h.call('endpoint:close', { endpointId });
    expect(lstatSync(path).isSocket()).toBe(true);
    const c = await rawClient(0, '', { path });
    await waitFor(() => c.received().toString() === 'the other server\n', 'the other server answers');
  });

  it('stop-accepting keeps a file that replaced the socket, and still removes an untouched one', async () => {
    const h = host();
    const replaced = join(dir, 'stop-replaced.sock');
    const a = (await h.call('tcp:listen', { path: replaced })).endpointId;
    rmSync(replaced);
    writeFileSync(replaced, KEEP);
    await h.call('listener:stop-accepting', { endpointId: a });
    await h.call('endpoint:close', { endpointId: a });
    expect(readFileSync(replaced, 'utf8')).toBe(KEEP);

    const untouched = join(dir, 'stop-untouched.sock');
    const b = (await h.call('tcp:listen', { path: untouched })).endpointId;
    await h.call('listener:stop-accepting', { endpointId: b });
    await waitFor(() => !existsSync(untouched), 'own socket file removed');
    expect(h.listener(b).state).toBe('not-accepting');
  });

  it.skipIf(process.platform !== 'linux')('System sockets still marks the listener as ours, under the name the kernel knows (the alias)', async () => {
    const h = host();
    const path = join(dir, 'own.sock');
    const { endpointId } = await h.call('tcp:listen', { path });
    const alias = aliasOf(h.listener(endpointId).timeline.map((t) => t.call));
    const view = await h.call('system-sockets:snapshot', { includeUnix: true });
    const row = view.rows.find((r) => r.proto === 'unix' && r.localAddress === `${alias}/own.sock`);
    expect(row?.own?.endpointId).toBe(endpointId);
  });
});
