/**
 * Recordings and pcapng exports are never written through a symlink planted at their path, never
 * into someone else's file, only into a private folder, and are private themselves (0600).
 * Real files and a real TCP conversation on loopback; each victim file must come out unchanged.
 */
import { chmodSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandName, CommandRequest, CommandResponse } from '../../shared/contract';
import { createEngineHost } from '../index';
import { waitFor } from '../testing/wait';

const VICTIM_TEXT = 'the victim file: nobody may write here\n';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function scratch(): { dir: string; victim: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-safe-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, VICTIM_TEXT);
  return { dir, victim };
}

function host(dataDir: string) {
  const h = createEngineHost({ mode: 'browser', version: 'test', dataDir });
  cleanups.push(() => h.engine.shutdown());
  return {
    ...h,
    async call<N extends CommandName>(name: N, payload: CommandRequest<N>): Promise<CommandResponse<N>> {
      const r = await h.dispatch(name, payload);
      if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
      return r.value as never;
    },
  };
}

/** A listener with one raw client that sent `hello`: returns the accepted conversation's id. */
async function recordableConversation(h: ReturnType<typeof host>): Promise<string> {
  const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
  const local = h.engine.requireEndpoint(endpointId).snapshot().local;
  const client = connect(local?.kind === 'inet' ? local.port : 0, '127.0.0.1');
  client.on('error', () => {});
  cleanups.push(() => client.destroy());
  return waitFor(() => {
    const s = h.engine.requireEndpoint(endpointId).snapshot();
    return s.kind === 'tcp-listener' ? s.clientIds[0] : undefined;
  }, 'accepted client');
}

const mode = (path: string) => lstatSync(path).mode & 0o777;

describe('pcapng export', () => {
  it('refuses a symlink planted at its output path; the victim is unchanged and no temp file is left', async () => {
    const { dir, victim } = scratch();
    const h = host(dir);
    const cid = await recordableConversation(h);
    const { path } = await h.call('recording:start', { conversationId: cid });
    const out = path.replace(/\.jsonl$/, '.pcapng');
    symlinkSync(victim, out);

    const r = await h.dispatch('recording:export-pcapng', { conversationId: cid });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toMatch(/EUNSAFE_PATH: .*is a symbolic link; refusing to replace it/);
    expect(readFileSync(victim, 'utf8')).toBe(VICTIM_TEXT);
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(dir, 'recordings')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('exporting again replaces its own last export (a new 0600 file, not a write into the old one)', async () => {
    const { dir } = scratch();
    const h = host(dir);
    const cid = await recordableConversation(h);
    await h.call('recording:start', { conversationId: cid });
    const { path } = await h.call('recording:export-pcapng', { conversationId: cid });
    const first = lstatSync(path);
    // A hard link to the first export stands for "someone else's file sharing that inode".
    const alias = join(dir, 'first-export-alias.pcapng');
    linkSync(path, alias);
    const before = readFileSync(alias);

    await h.call('conversation:send', { conversationId: cid, data: Buffer.from('more').toString('base64') });
    await waitFor(() => h.engine.requireConversation(cid).snapshot()?.stats.bytesOut === 4, 'sent');
    await h.call('recording:export-pcapng', { conversationId: cid });
    expect(lstatSync(path).ino).not.toBe(first.ino);
    expect(readFileSync(path).length).toBeGreaterThan(before.length);
    expect(readFileSync(alias).equals(before)).toBe(true);
    expect(mode(path)).toBe(0o600);
  });
});

describe('recordings', () => {
  it('are written only into a private folder: a recordings folder replaced by a symlink, or writable by others, is refused', async () => {
    const { dir } = scratch();
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    symlinkSync(elsewhere, join(dataDir, 'recordings'));
    const h = host(dataDir);
    const cid = await recordableConversation(h);
    const r = await h.dispatch('recording:start', { conversationId: cid });
    expect(!r.ok && r.error.message).toMatch(/EUNSAFE_PATH: .*recordings is not a folder/);
    expect(readdirSync(elsewhere)).toEqual([]);

    rmSync(join(dataDir, 'recordings'));
    mkdirSync(join(dataDir, 'recordings'));
    chmodSync(join(dataDir, 'recordings'), 0o777);
    const again = await h.dispatch('recording:start', { conversationId: cid });
    expect(!again.ok && again.error.message).toMatch(/EUNSAFE_PATH: .*others may write to it/);

    chmodSync(join(dataDir, 'recordings'), 0o700);
    const ok = await h.call('recording:start', { conversationId: cid });
    expect(mode(ok.path)).toBe(0o600);
  });
});
