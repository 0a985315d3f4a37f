/**
 * `recording:read` hands the UI the bytes of the files the engine wrote (the recording and its
 * pcapng export) page by page, so browser mode can download them; it reads only those files, and
 * never through a symbolic link put in their place. Real files, a real TCP conversation on loopback.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandName, CommandRequest, CommandResponse } from '../../shared/contract';
import { createEngineHost } from '../index';
import { waitFor } from '../testing/wait';
import { RECORDING_READ_PAGE } from './recording-handlers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function host() {
  const dataDir = mkdtempSync(join(tmpdir(), 'sockscope-read-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const h = createEngineHost({ mode: 'browser', version: 'test', dataDir });
  cleanups.push(() => h.engine.shutdown());
  return {
    ...h,
    dataDir,
    async call<N extends CommandName>(name: N, payload: CommandRequest<N>): Promise<CommandResponse<N>> {
      const r = await h.dispatch(name, payload);
      if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
      return r.value as never;
    },
    async refused(name: CommandName, payload: unknown): Promise<string> {
      const r = await h.dispatch(name, payload);
      if (r.ok) throw new Error(`${name} succeeded`);
      return `${r.error.code} ${r.error.message}`;
    },
  };
}

async function recordedConversation(h: ReturnType<typeof host>, payload: Buffer): Promise<{ id: string; client: Socket }> {
  const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
  const local = h.engine.requireEndpoint(endpointId).snapshot().local;
  const client = connect(local?.kind === 'inet' ? local.port : 0, '127.0.0.1');
  client.on('error', () => {});
  cleanups.push(() => client.destroy());
  const id = await waitFor(() => {
    const s = h.engine.requireEndpoint(endpointId).snapshot();
    return s.kind === 'tcp-listener' ? s.clientIds[0] : undefined;
  }, 'accepted client');
  await h.call('recording:start', { conversationId: id });
  client.write(payload);
  await waitFor(() => (h.engine.recordings.info(id)?.payloadBytes === payload.length ? true : undefined), 'recorded');
  await h.call('recording:stop', { conversationId: id });
  return { id, client };
}

async function readAll(h: ReturnType<typeof host>, id: string, file: 'recording' | 'pcapng'): Promise<{ bytes: Buffer; pages: number; name: string }> {
  const parts: Buffer[] = [];
  let offset = 0;
  let pages = 0;
  let name = '';
  for (;;) {
    const page = await h.call('recording:read', { conversationId: id, file, offset });
    name = page.name;
    pages++;
    const data = Buffer.from(page.data, 'base64');
    parts.push(data);
    offset += data.length;
    if (data.length === 0 || offset >= page.size) break;
  }
  return { bytes: Buffer.concat(parts), pages, name };
}

describe('recording:read', () => {
  it('returns the recording and the pcapng export byte for byte, in pages', async () => {
    const h = host();
    // Random bytes do not compress in base64 lines: the recording is larger than one page.
    const payload = Buffer.alloc(RECORDING_READ_PAGE);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7919) & 0xff;
    const { id } = await recordedConversation(h, payload);
    const info = h.engine.recordings.info(id);
    const rec = await readAll(h, id, 'recording');
    expect(rec.bytes.equals(readFileSync(info?.path as string))).toBe(true);
    expect(rec.pages).toBeGreaterThan(1);
    expect(rec.name).toMatch(/\.jsonl$/);

    expect(await h.refused('recording:read', { conversationId: id, file: 'pcapng', offset: 0 })).toMatch(/INVALID_STATE.*export/);
    const { path } = await h.call('recording:export-pcapng', { conversationId: id });
    const pcap = await readAll(h, id, 'pcapng');
    expect(pcap.bytes.equals(readFileSync(path))).toBe(true);
    expect(pcap.bytes.readUInt32LE(0)).toBe(0x0a0d0d0a);
  });

  it('refuses a conversation without a recording, and a symlink planted where the recording was', async () => {
    const h = host();
    expect(await h.refused('recording:read', { conversationId: 'nope', file: 'recording', offset: 0 })).toMatch(/NOT_FOUND|INVALID/);
    const { id } = await recordedConversation(h, Buffer.from('hello\n'));
    const path = h.engine.recordings.info(id)?.path as string;
    const secret = join(h.dataDir, 'secret.txt');
    writeFileSync(secret, 'not yours\n');
    unlinkSync(path);
    symlinkSync(secret, path);
    const refusal = await h.refused('recording:read', { conversationId: id, file: 'recording', offset: 0 });
    expect(refusal).toMatch(/ELOOP/);
    expect(refusal).not.toContain('not yours');
  });

  it('refuses a bad request at the contract: an unknown file kind or a negative offset', async () => {
    const h = host();
    expect(await h.refused('recording:read', { conversationId: 'l1.c1', file: '../../etc/passwd', offset: 0 })).toMatch(/VALIDATION/);
    expect(await h.refused('recording:read', { conversationId: 'l1.c1', file: 'recording', offset: -1 })).toMatch(/VALIDATION/);
  });
});
