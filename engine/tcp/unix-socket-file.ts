/**
 * A Unix listener's socket file, removed when the listener closes only if it is still ours.
 *
 * libuv remembers the path given to bind() and unlink()s it when the server closes
 * (uv__pipe_close → unlink(pipe_fname)), whatever is at that path by then: a newer server's socket
 * that replaced ours, or a regular file. Node offers no way to close without that unlink. So we bind
 * through an alias, `<private folder>/d/<name>`, where `d` is a symlink to the socket's folder:
 * bind() follows `d` and creates the socket file at the real path, while libuv keeps the alias.
 * Right before the server closes we remove `d`, so libuv's unlink finds nothing; afterwards we
 * remove the real file only if lstat still shows the (dev, ino) it had right after bind.
 *
 * The private folder comes from mkdtemp() in /tmp (0700, and /tmp is sticky): no other user can
 * create, rename or remove anything in it, so the alias cannot be turned against another file.
 * The price: the kernel names the socket by the alias (getsockname, `ss -xl`, lsof and a peer's
 * getpeername show /tmp/sockscope-…/d/<name>). Where no alias can be made — a named pipe, no
 * writable /tmp, an alias longer than sun_path — the path itself is bound and libuv's unlink on
 * close stays (docs/security.md, "Not testable here").
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { lstat, mkdtemp, rmdir, symlink, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isNamedPipe, unixPathMaxBytes } from './unix-socket';

/** Short on purpose: the alias must fit in sun_path too. */
const ALIAS_BASE = '/tmp';
const ALIAS_LINK = 'd';

interface FileIdentity {
  dev: number;
  ino: number;
}

export class UnixSocketFile {
  private identity: FileIdentity | null = null;
  private releasing: Promise<void> | null = null;

  private constructor(
    readonly path: string,
    /** The private folder holding the `d` symlink, or null when the path itself is bound. */
    private readonly aliasDir: string | null,
  ) {}

  /** Makes the alias when it can; otherwise binding goes to the path itself. */
  static async prepare(path: string): Promise<UnixSocketFile> {
    const name = basename(path);
    if (isNamedPipe(path) || path.endsWith('/') || name === '.' || name === '..') return new UnixSocketFile(path, null);
    let dir: string;
    try {
      dir = await mkdtemp(join(ALIAS_BASE, 'sockscope-'));
    } catch {
      return new UnixSocketFile(path, null);
    }
    const file = new UnixSocketFile(path, dir);
    if (Buffer.byteLength(file.bindPath) > unixPathMaxBytes()) {
      await file.release();
      return new UnixSocketFile(path, null);
    }
    try {
      await symlink(resolve(dirname(path)), join(dir, ALIAS_LINK));
    } catch {
      await file.release();
      return new UnixSocketFile(path, null);
    }
    return file;
  }

  /** What bind() is given. */
  get bindPath(): string {
    return this.aliasDir ? join(this.aliasDir, ALIAS_LINK, basename(this.path)) : this.path;
  }

  /** The step the timeline shows before bind(), when binding through the alias. */
  get aliasStep(): string | null {
    return this.aliasDir ? `symlink(${resolve(dirname(this.path))}, ${join(this.aliasDir, ALIAS_LINK)})` : null;
  }

  /** Right after listening: the socket file that is ours. */
  remember(): void {
    if (isNamedPipe(this.path)) return;
    try {
      const st = lstatSync(this.path);
      if (st.isSocket()) this.identity = { dev: st.dev, ino: st.ino };
    } catch {
      // Gone already (someone removed it): nothing is ours to remove later.
    }
  }

  /**
   * Right before server.close(): libuv's unlink of the alias must find nothing. Only once the file
   * is known to be ours; a server closed before that (shutdown mid-open) lets libuv remove the
   * socket file its bind() created an instant earlier.
   */
  beforeClose(): void {
    if (this.identity) this.removeLink();
  }

  /**
   * After the server closed (or never listened): our socket file goes, anything else stays.
   * Idempotent, and every caller waits for the removal: a listener's close must not resolve (and
   * the host quit) while the server's own close callback is still removing the file.
   */
  release(): Promise<void> {
    this.releasing ??= this.releaseNow();
    return this.releasing;
  }

  private async releaseNow(): Promise<void> {
    if (this.aliasDir) {
      this.removeLink();
      await rmdir(this.aliasDir).catch(() => {}); // a folder only we can write: empty now
    }
    const ours = this.identity;
    this.identity = null;
    if (!ours) return;
    try {
      const st = await lstat(this.path);
      if (st.isSocket() && st.dev === ours.dev && st.ino === ours.ino) await unlink(this.path);
    } catch {
      // Already gone (libuv removed it when binding the path itself): nothing to do.
    }
  }

  private removeLink(): void {
    if (!this.aliasDir) return;
    try {
      unlinkSync(join(this.aliasDir, ALIAS_LINK));
    } catch {
      // Removed already. Nothing else can be there: the folder is private to this process's user.
    }
  }
}
