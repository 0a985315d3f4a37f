/**
 * The same hostile commands as engine/boundary, through the real browser-mode server
 * (`startWebServer`, in process) and a real WebSocket client: each is answered with a typed error,
 * the engine is untouched, and frames that are not commands at all (not JSON, binary, too deep, too
 * large) never reach the dispatcher or take the server down.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CommandResult } from '../../shared/contract';
import { boundaryCases, prototypeIsClean, sideEffectView } from '../../engine/boundary/boundary-cases';
import { createEngineHost, type EngineHost } from '../../engine/index';
import { APP_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from './upgrade-gate';
import { startWebServer, type WebServer } from './web-server';

type ServerMessage = { type: 'result'; id: number; result: CommandResult } | { type: 'error'; message: string } | { type: 'batch' };

let engineHost: EngineHost;
let server: WebServer;
let rendererDir: string;

/** A WebSocket client that speaks the contract: invoke() sends raw JSON text and awaits its result. */
async function client() {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, [APP_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${server.token}`], {
    maxPayload: 256 * 1024 * 1024,
  });
  const waiting = new Map<number, (r: CommandResult) => void>();
  const errors: string[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as ServerMessage;
    if (msg.type === 'result') waiting.get(msg.id)?.(msg.result);
    if (msg.type === 'error') errors.push(msg.message);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  return {
    ws,
    errors,
    closed,
    invokeRaw(command: string, payload: string): Promise<CommandResult> {
      const id = nextId++;
      const done = new Promise<CommandResult>((resolve) => waiting.set(id, resolve));
      ws.send(`{"type":"invoke","id":${id},"command":${command},"payload":${payload}}`);
      return done;
    },
    invoke(command: string, payload: unknown) {
      return this.invokeRaw(JSON.stringify(command), JSON.stringify(payload));
    },
  };
}

const snapshot = async () => {
  const r = await engineHost.dispatch('app:snapshot', {});
  if (!r.ok) throw new Error(r.error.message);
  return sideEffectView(r.value);
};

let c: Awaited<ReturnType<typeof client>>;
let snapshotBefore = '';

beforeAll(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'sockscope-ws-boundary-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Sockscope</title>');
  engineHost = createEngineHost({ mode: 'browser', version: 'test', dataDir: null });
  server = await startWebServer({ host: '127.0.0.1', port: 0, rendererDir, engineHost });
  c = await client();
  expect(await c.invoke('udp:bind', { bindAddress: '127.0.0.1', port: 0 })).toEqual({ ok: true, value: { endpointId: 'u1' } });
  expect(await c.invoke('tcp:listen', { bindAddress: '127.0.0.1', port: 0 })).toEqual({ ok: true, value: { endpointId: 'l1' } });
  await new Promise((r) => setTimeout(r, 20));
  snapshotBefore = await snapshot();
});

afterAll(async () => {
  c?.ws.terminate();
  await server?.close();
  await engineHost?.engine.shutdown();
  rmSync(rendererDir, { recursive: true, force: true });
});

describe('the WebSocket transport refuses hostile commands with a typed error and no side effect', () => {
  for (const bc of boundaryCases()) {
    it(bc.name, async () => {
      const r = await c.invokeRaw(bc.command, bc.payload);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe(bc.code);
      if (bc.path !== undefined) expect(r.error.issues?.[0]?.path).toBe(bc.path);
      expect(engineHost.engine.listEndpoints().map((e) => e.id)).toEqual(['u1', 'l1']);
      expect(await snapshot()).toBe(snapshotBefore);
      expect(prototypeIsClean()).toBe(true);
    });
  }
});

describe('frames that are not commands', () => {
  it('answers non-JSON, wrong envelopes and over-deep JSON with an error; binary frames are ignored', async () => {
    c.ws.send('not json {');
    c.ws.send('{"type":"invoke","command":"app:info","payload":{}}'); // no id
    c.ws.send('{"type":"exec","id":1,"command":"app:info"}');
    c.ws.send('null');
    c.ws.send(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    c.ws.send(Buffer.from('{"type":"invoke","id":999,"command":"tcp:listen","payload":{"bindAddress":"127.0.0.1","port":0}}'), { binary: true });
    // The session still answers, in order, after all of that.
    const r = await c.invoke('app:info', {});
    expect(r.ok).toBe(true);
    expect(c.errors).toHaveLength(5);
    expect(await snapshot()).toBe(snapshotBefore);
  });

  it('refuses a message with a million keys unread, quickly, and keeps the event loop free', async () => {
    const keys = Array.from({ length: 1_500_000 }, (_, i) => `"k${i}":1`).join(',');
    const started = performance.now();
    const r = c.invokeRaw('"tcp:listen"', `{${keys}}`);
    const answer = await Promise.race([r.then(() => 'result'), new Promise<string>((resolve) => {
      const t = setInterval(() => {
        if (c.errors.some((e) => /more than 10000 fields/.test(e))) {
          clearInterval(t);
          resolve('refused');
        }
      }, 5);
    })]);
    expect(answer).toBe('refused');
    expect(performance.now() - started, 'refused within (ms)').toBeLessThan(1000);
    // Strings may hold any number of separators: a session file as text is not refused for them.
    const text = JSON.stringify('a:b,'.repeat(100_000));
    expect((await c.invokeRaw('"services:lookup"', `{"name":${text},"proto":"tcp"}`)).ok).toBe(false);
    expect(c.errors.filter((e) => /fields/.test(e))).toHaveLength(1);
    expect((await c.invoke('app:info', {})).ok).toBe(true);
    expect(await snapshot()).toBe(snapshotBefore);
  });

  it('closes a connection whose frame exceeds maxPayload (1009), and the server carries on', async () => {
    const big = await client();
    big.ws.send(`{"type":"invoke","id":1,"command":"udp:send","payload":{"data":"${'A'.repeat(24 * 1024 * 1024)}"}}`);
    expect(await big.closed).toBe(1009);
    const again = await client();
    expect((await again.invoke('app:info', {})).ok).toBe(true);
    again.ws.terminate();
    expect(await snapshot()).toBe(snapshotBefore);
  });

  it('refuses a connection without the token before any command is read', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, [APP_PROTOCOL]);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(401);
  });
});
