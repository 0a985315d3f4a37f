/**
 * Whatever is found at the session's path, the app starts, never follows a link, never overwrites
 * a backup, and says in one line what happened; and a write killed half-way never leaves half a
 * file behind.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseSessionText, SESSION_FORMAT, SESSION_LIMITS } from '../../shared/session';
import { startHost, tempDataDir, warnings } from '../testing/session-host';
import { waitFor } from '../testing/wait';
import { loadSessionFile } from './session-file';
import { SessionStore } from './session-store';

const validSession = (marker: string) =>
  JSON.stringify({
    format: SESSION_FORMAT,
    version: 1,
    savedMessages: [{ id: 'm1', name: marker, group: '', format: 'text', content: 'x', lineEnding: 'none' }],
  });

const backups = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('session.json.corrupt-')).sort();

/** Starts an engine on `dir` whose session.json holds `content`; returns what it reports. */
async function startOn(dir: string, content: string | Buffer) {
  writeFileSync(join(dir, 'session.json'), content);
  const h = await startHost(dir);
  return { h, snap: await h.snapshot() };
}

describe('a session file that cannot be used is kept aside, and the app starts empty', () => {
  const cases: [string, string, RegExp][] = [
    ['corrupt JSON', '{"format": "sockscope-session", "version": 1, "endpoints": [', /could not be read: not valid JSON/],
    ['JSON that is not a session', '{"hello": "world"}', /is not a Sockscope session file/],
    ['a session from a newer Sockscope', JSON.stringify({ format: SESSION_FORMAT, version: 99, endpoints: [] }), /newer Sockscope \(session version 99; this one reads up to 1\)/],
    [
      'a session with a field the schema refuses',
      JSON.stringify({ format: SESSION_FORMAT, version: 1, endpoints: [{ kind: 'tcp-listener', bindAddress: '127.0.0.1', port: 70000 }] }),
      /does not match the session format \(endpoints\.0\.port: /,
    ],
    ['an own __proto__ key', `{"format":"sockscope-session","version":1,"ui":{"__proto__":{"polluted":true}}}`, /ui\.__proto__: forbidden key/],
  ];
  for (const [what, content, reason] of cases) {
    it(what, async () => {
      const dir = tempDataDir();
      const { h, snap } = await startOn(dir, content);
      expect(snap.endpoints).toEqual([]);
      expect(snap.savedMessages).toEqual([]);
      const notice = snap.session.notice;
      expect(notice?.kind).toBe('kept-aside');
      expect(notice?.message).toMatch(reason);
      expect(notice?.message).toMatch(/started with an empty session\.$/);
      expect(notice?.message).not.toContain('\n');
      expect(warnings, 'the host log says it once too').toEqual([`sockscope: ${notice?.message}`]);
      // The backup is the file as it was, byte for byte; session.json is gone until the next save.
      const [backup] = backups(dir);
      expect(backup).toMatch(/^session\.json\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
      expect(notice?.backup).toBe(join(dir, backup!));
      expect(readFileSync(join(dir, backup!), 'utf8')).toBe(content);
      expect(existsSync(join(dir, 'session.json'))).toBe(false);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();

      // The next change writes a fresh session; the backup stays.
      await h.call('saved-messages:save', { name: 'new', group: '', format: 'text', content: 'y', lineEnding: 'lf' });
      await h.engine.session.flush();
      expect(parseSessionText(readFileSync(join(dir, 'session.json'), 'utf8')).ok).toBe(true);
      expect(readFileSync(join(dir, backup!), 'utf8')).toBe(content);
      // Dismissed, the notice is gone (for every UI).
      await h.call('session:dismiss-notice', {});
      expect((await h.snapshot()).session.notice).toBeNull();
    });
  }

  it('a backup is never overwritten: two corrupt files in the same millisecond get two names', () => {
    const dir = tempDataDir();
    const file = join(dir, 'session.json');
    const at = () => new Date('2030-01-02T03:04:05.678Z');
    writeFileSync(file, 'first');
    expect(loadSessionFile(file, at)).toMatchObject({ kind: 'kept-aside' });
    writeFileSync(file, 'second');
    expect(loadSessionFile(file, at)).toMatchObject({ kind: 'kept-aside' });
    expect(backups(dir)).toEqual(['session.json.corrupt-2030-01-02T03-04-05-678Z', 'session.json.corrupt-2030-01-02T03-04-05-678Z-2']);
    expect(readFileSync(join(dir, 'session.json.corrupt-2030-01-02T03-04-05-678Z'), 'utf8')).toBe('first');
    expect(readFileSync(join(dir, 'session.json.corrupt-2030-01-02T03-04-05-678Z-2'), 'utf8')).toBe('second');
  });

  it('a file over the size limit is moved aside without being read', async () => {
    const dir = tempDataDir();
    const file = join(dir, 'session.json');
    // Sparse: 17 MiB on paper, nothing on disk. Reading it would be the mistake.
    const fd = openSync(file, 'w');
    writeSync(fd, '{', SESSION_LIMITS.fileBytes + 1024 * 1024);
    closeSync(fd);
    const started = Date.now();
    const h = await startHost(dir);
    const { session, endpoints } = await h.snapshot();
    expect(endpoints).toEqual([]);
    expect(session.notice?.message).toMatch(/is larger than 16 MiB \(17\.0 MiB\)/);
    expect(backups(dir)).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a symbolic link at the session path is not followed: its target stays as it was', async () => {
    const dir = tempDataDir();
    const elsewhere = join(tempDataDir(), 'someone-elses.json');
    const theirs = validSession('not yours');
    writeFileSync(elsewhere, theirs);
    symlinkSync(elsewhere, join(dir, 'session.json'));
    const h = await startHost(dir);
    const snap = await h.snapshot();
    // Not loaded (the link's target is not read), moved aside as the link it is.
    expect(snap.savedMessages).toEqual([]);
    expect(snap.session.notice?.message).toMatch(/was a symbolic link \(it was not followed\)/);
    const [backup] = backups(dir);
    expect(lstatSync(join(dir, backup!)).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, backup!))).toBe(elsewhere);
    // The next save writes a regular file of ours, and never the link's target.
    await h.call('saved-messages:save', { name: 'mine', group: '', format: 'text', content: 'y', lineEnding: 'lf' });
    await h.engine.session.flush();
    expect(lstatSync(join(dir, 'session.json')).isFile()).toBe(true);
    expect(lstatSync(join(dir, 'session.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(elsewhere, 'utf8')).toBe(theirs);
  });

  it('a symbolic link planted at the temp file name makes that save fail; nothing is written through it', async () => {
    const dir = tempDataDir();
    const elsewhere = join(tempDataDir(), 'target.txt');
    writeFileSync(elsewhere, 'untouched');
    const temp = join(dir, '.session.json.planted.tmp');
    let name = temp;
    const notices: string[] = [];
    const store = new SessionStore({
      dataDir: dir,
      endpoints: () => new Map(),
      recentHosts: () => ({ tcp: [], udp: [], unix: [] }),
      onMessagesChanged: () => {},
      onStatusChanged: (s) => notices.push(s.notice?.message ?? ''),
      tempPath: () => name,
      log: () => {},
    });
    store.load();
    symlinkSync(elsewhere, temp);
    store.saveMessage({ name: 'a', group: '', format: 'text', content: 'x', lineEnding: 'none' });
    await store.flush();
    expect(readFileSync(elsewhere, 'utf8')).toBe('untouched');
    expect(existsSync(join(dir, 'session.json'))).toBe(false);
    expect(lstatSync(temp).isSymbolicLink()).toBe(true);
    expect(store.status().notice).toMatchObject({ kind: 'save-failed' });
    expect(store.status().notice?.message).toMatch(/could not be saved to .*session\.json: EEXIST/);

    // The next change, with a temp name nobody planted, saves; the notice goes.
    name = join(dir, '.session.json.fresh.tmp');
    store.saveMessage({ name: 'b', group: '', format: 'text', content: 'x', lineEnding: 'none' });
    await store.flush();
    expect(store.status().notice).toBeNull();
    expect(parseSessionText(readFileSync(join(dir, 'session.json'), 'utf8'))).toMatchObject({ ok: true });
    expect(readFileSync(elsewhere, 'utf8')).toBe('untouched');
  });

  it('a FIFO at the session path does not block the start', async () => {
    const dir = tempDataDir();
    execFileSync('mkfifo', [join(dir, 'session.json')]);
    const h = await startHost(dir);
    expect((await h.snapshot()).session.notice?.message).toMatch(/is not a regular file/);
  });

  it('a data folder others may write to is neither read nor written: memory only, said once', async () => {
    const dir = tempDataDir();
    writeFileSync(join(dir, 'session.json'), validSession('planted by someone'));
    chmodSync(dir, 0o777);
    const h = await startHost(dir);
    const snap = await h.snapshot();
    expect(snap.savedMessages).toEqual([]);
    expect(snap.session).toMatchObject({ file: null, notice: { kind: 'save-failed' } });
    expect(snap.session.notice?.message).toMatch(/kept in memory only: others may write to/);
    await h.call('saved-messages:save', { name: 'x', group: '', format: 'text', content: 'x', lineEnding: 'none' });
    await h.engine.session.flush();
    expect(readFileSync(join(dir, 'session.json'), 'utf8')).toContain('planted by someone');
    chmodSync(dir, 0o700);
  });
});

describe('the atomic write', () => {
  it('a write killed mid-way (SIGKILL) leaves the previous session whole', async () => {
    const dir = tempDataDir();
    const file = join(dir, 'session.json');
    writeFileSync(file, validSession('before'));
    const writer = fileURLToPath(new URL('./atomic-write.ts', import.meta.url));
    const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
    // Each version is ~8 MB: a kill lands inside a write far more often than between two.
    const script = `
      const { writeFileAtomic } = await import(${JSON.stringify(writer)});
      const filler = Array.from({ length: 120 }, (_, n) =>
        ({ id: 'f' + n, name: 'filler', group: '', format: 'text', content: 'x'.repeat(64000), lineEnding: 'none' }));
      for (let i = 0; ; i++) {
        const text = JSON.stringify({ format: 'sockscope-session', version: 1, savedMessages: [
          { id: 'm1', name: 'v' + i, group: '', format: 'text', content: 'x', lineEnding: 'none' }, ...filler] });
        if (i === 0) process.stdout.write('writing\\n');
        await writeFileAtomic(${JSON.stringify(file)}, text);
      }
    `;
    // At least three kills, and more (up to eight) until one has landed inside a write: on a busy
    // machine all three can fall between two writes, which proves nothing about torn writes.
    const tornOnce = () => readdirSync(dir).some((n) => n.endsWith('.tmp'));
    for (let round = 0; round < 8 && (round < 3 || !tornOnce()); round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await waitFor(() => out.includes('writing'), 'the writer to start', 15_000);
      await new Promise((r) => setTimeout(r, 150 + (round % 3) * 70));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      // Whole: the old version or a complete new one, never a truncated mix.
      const text = readFileSync(file, 'utf8');
      const doc = JSON.parse(text) as { savedMessages: { name: string }[] };
      expect(doc.savedMessages[0]?.name).toMatch(/^(before|v\d+)$/);
    }
    // The interrupted temp files are removed at the next start (they were never the session),
    // which loads the last whole version.
    expect(tornOnce(), 'a kill landed inside a write').toBe(true);
    const h = await startHost(dir);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect((await h.snapshot()).savedMessages[0]?.name).toMatch(/^(before|v\d+)$/);
  }, 60_000);

  it('writes the file with mode 0600, in one rename (no temp file left)', async () => {
    const dir = tempDataDir();
    const h = await startHost(dir);
    await h.call('saved-messages:save', { name: 'a', group: '', format: 'text', content: 'x', lineEnding: 'none' });
    await waitFor(() => existsSync(join(dir, 'session.json')), 'saved');
    expect(lstatSync(join(dir, 'session.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['session.json']);
  });
});
