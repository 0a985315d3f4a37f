/**
 * The UI session (engine/ui-session) over every port the project uses, one suite run three times:
 * - websocket: the real browser-mode web server and a real `ws` client through shared/session-json-port;
 * - ipc: the real main-side IPC port (hosts/electron/ipc-sessions.ts) and the real preload API
 *   (preload-bindings.ts), joined by a faithful Electron IPC fake: two EventEmitters, every message
 *   structured-cloned and delivered asynchronously (the Electron binary is absent here);
 * - in-process: attachInProcess, as the CLI uses it.
 * Every message the engine sends is parsed with the protocol's full schema. The other side of the
 * endpoints is a real loopback socket.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventBatch, type EngineSnapshot } from '../shared/contract';
import { preloadPort } from '../shared/preload-api';
import { createSessionClient, type ClientPort, type SessionClient } from '../shared/session-client';
import { jsonPort } from '../shared/session-json-port';
import { ServerMessage } from '../shared/session-protocol';
import { createEngineHost, type StartedEngineHost } from '../engine/index';
import { inProcessPortPair } from '../engine/ui-session/in-process-port';
import { runUiSession } from '../engine/ui-session/ui-session';
import { createIpcSessions, type SessionContents } from './electron/ipc-sessions';
import { preloadApi, type RendererIpc } from './electron/preload-bindings';
import { APP_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from './web/upgrade-gate';
import { startWebServer, type WebServer } from './web/web-server';

interface Opened {
  client: SessionClient;
  /** Every message the engine sent this client, as it arrived. */
  received: unknown[];
  /** Sends a message outside the protocol's types, as a broken or hostile client would. */
  sendRaw(message: unknown): void;
}

interface PortKind {
  name: string;
  start(host: StartedEngineHost): Promise<void>;
  connect(): Promise<ClientPort>;
  stop(): Promise<void>;
}

/** Wraps a port so the test sees every message the engine sent, before the session client does. */
function recording(port: ClientPort, received: unknown[]): ClientPort {
  return {
    ...port,
    onMessage: (listener) =>
      port.onMessage((m) => {
        received.push(m);
        listener(m);
      }),
  };
}

const websocket = (): PortKind => {
  let server: WebServer;
  let rendererDir = '';
  return {
    name: 'websocket',
    async start(host) {
      rendererDir = mkdtempSync(join(tmpdir(), 'sockscope-session-'));
      writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Sockscope</title>');
      server = await startWebServer({ host: '127.0.0.1', port: 0, rendererDir, engineHost: host, log: () => undefined });
    },
    async connect() {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, [APP_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${server.token}`]);
      ws.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const p = jsonPort(ws);
      ws.on('message', (data) => p.received(data.toString()));
      ws.on('close', p.ended);
      return p.port;
    },
    async stop() {
      await server.close();
      rmSync(rendererDir, { recursive: true, force: true });
    },
  };
};

/**
 * Electron's IPC as the two sides see it: ipcRenderer.send → ipcMain 'channel' with an event that
 * names the sender; WebContents.send → ipcRenderer 'channel'. Each hop clones, and arrives later.
 */
const ipc = (): PortKind => {
  let sessions: ReturnType<typeof createIpcSessions>;
  const windows: { contents: EventEmitter & SessionContents }[] = [];
  let nextId = 1;
  const hop = (deliver: () => void) => setImmediate(deliver);
  return {
    name: 'ipc',
    async start(host) {
      sessions = createIpcSessions(host, () => undefined);
    },
    async connect() {
      const page = new EventEmitter();
      const frame = { url: 'app://sockscope/index.html', parent: null };
      const contents = Object.assign(new EventEmitter(), {
        id: nextId++,
        isDestroyed: () => false,
        getURL: () => frame.url,
        send: (channel: string, message: unknown) => {
          const copy = structuredClone(message);
          hop(() => page.emit(channel, { sender: 'ipcRenderer' }, copy));
        },
      });
      const rendererIpc: RendererIpc = {
        send: (channel, message) => {
          const copy = structuredClone(message);
          hop(() => {
            if (channel === 'sockscope:session') sessions.receive(contents, frame, copy);
          });
        },
        on: (channel, listener) => page.on(channel, listener),
        removeListener: (channel, listener) => page.removeListener(channel, listener),
      };
      windows.push({ contents });
      const port = preloadPort(preloadApi(rendererIpc));
      // The page going away is what ends an IPC session: the window's 'destroyed'.
      return { ...port, close: () => (port.close(), contents.emit('destroyed')) };
    },
    async stop() {
      for (const w of windows.splice(0)) w.contents.emit('destroyed');
    },
  };
};

const inProcess = (): PortKind => {
  let engineHost: StartedEngineHost;
  return {
    name: 'in-process',
    async start(host) {
      engineHost = host;
    },
    async connect() {
      // attachInProcess, taken apart so the test can record what the engine sends.
      const { engineSide, clientSide } = inProcessPortPair();
      runUiSession(engineSide, engineHost);
      return clientSide;
    },
    async stop() {},
  };
};

const until = async (what: string, check: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const batchesOf = (received: unknown[]): EventBatch[] =>
  received.flatMap((m) => ((m as { type: string }).type === 'batch' ? [EventBatch.parse((m as { batch: unknown }).batch)] : []));

const listenerPort = (snapshot: EngineSnapshot, id: string): number => {
  const local = snapshot.endpoints.find((e) => e.id === id)?.local;
  return local?.kind === 'inet' ? local.port : 0;
};

describe.each([websocket(), ipc(), inProcess()])('the UI session over $name', (kind) => {
  let host: StartedEngineHost;
  const opened: Opened[] = [];
  const peers: Socket[] = [];

  const open = async (): Promise<Opened> => {
    const received: unknown[] = [];
    const port = recording(await kind.connect(), received);
    const o = { client: createSessionClient(port), received, sendRaw: (m: unknown) => port.send(m as never) };
    opened.push(o);
    return o;
  };

  beforeAll(async () => {
    host = createEngineHost({ mode: 'browser', version: 'test', dataDir: null });
    await kind.start(host);
  });
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      // Whatever the engine sent, over whichever transport, is a message of the protocol.
      for (const m of o.received) expect(ServerMessage.safeParse(m).error?.issues ?? []).toEqual([]);
      o.client.close();
    }
    for (const p of peers.splice(0)) p.destroy();
    await Promise.all(host.engine.listEndpoints().map((e) => host.dispatch('endpoint:remove', { endpointId: e.id })));
  });
  afterAll(async () => {
    await kind.stop();
    await host.engine.shutdown();
  });

  it('answers every invoke with its envelope, in order, typed errors included', async () => {
    const { client } = await open();
    const [info, unknown, invalid] = await Promise.all([
      client.invoke('app:info', {}),
      client.invoke('tcp:explode', {}),
      client.invoke('tcp:listen', { bindAddress: '127.0.0.1', port: 70000 }),
    ]);
    expect(info).toMatchObject({ ok: true, value: { name: 'Sockscope', mode: 'browser' } });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('sends a client that never says hello no batches', async () => {
    const { client, received } = await open();
    const made = await client.invoke('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    expect(made.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(received.map((m) => (m as { type: string }).type)).toEqual(['result']);
  });

  it('answers hello with the current state, then sends every later change in batches', async () => {
    const { client, received } = await open();
    const before = await client.invoke('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    if (!before.ok) throw new Error(before.error.message);
    const { info, snapshot } = await client.attach();
    expect(info.name).toBe('Sockscope');
    expect(snapshot.endpoints.map((e) => e.id)).toEqual([(before.value as { endpointId: string }).endpointId]);
    // Real bytes from a real peer reach the session as a traffic batch.
    const port = listenerPort(snapshot, snapshot.endpoints[0]?.id ?? '');
    const peer = connect(port, '127.0.0.1');
    peers.push(peer);
    peer.on('error', () => undefined);
    peer.write('hello over every port');
    const sent = Buffer.from('hello over every port').toString('base64');
    await until('the traffic batch', () =>
      batchesOf(received).some((b) => b.events.some((e) => e.type === 'traffic:appended' && e.chunks.some((c) => c.data === sent))),
    );
    // The attached message came first: no batch before the snapshot it follows.
    expect((received.find((m) => (m as { type: string }).type !== 'result') as { type: string }).type).toBe('attached');
    const seqs = batchesOf(received).map((b) => b.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('starts over on a second hello: a fresh snapshot, and batches after it', async () => {
    const { client, received } = await open();
    const first = await client.attach();
    const made = await client.invoke('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
    if (!made.ok) throw new Error(made.error.message);
    const second = await client.attach();
    expect(first.snapshot.endpoints).toEqual([]);
    expect(second.snapshot.endpoints.map((e) => e.id)).toEqual([(made.value as { endpointId: string }).endpointId]);
    expect(received.filter((m) => (m as { type: string }).type === 'attached')).toHaveLength(2);
  });

  it('gives every attached session its own batches', async () => {
    const a = await open();
    const b = await open();
    await Promise.all([a.client.attach(), b.client.attach()]);
    const made = await a.client.invoke('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    if (!made.ok) throw new Error(made.error.message);
    const id = (made.value as { endpointId: string }).endpointId;
    const sawIt = (o: Opened) => batchesOf(o.received).some((batch) => batch.events.some((e) => e.type === 'endpoint:changed' && e.endpoint.id === id));
    await until('both sessions see the new listener', () => sawIt(a) && sawIt(b));
  });

  it('answers a message outside the protocol with an error and carries on', async () => {
    const { client, received, sendRaw } = await open();
    for (const bad of [{ type: 'exec', id: 1 }, { type: 'invoke', command: 'app:info' }, { type: 'hello', protocol: 99 }, null, 'app:info', [1, 2]]) sendRaw(bad);
    const info = await client.invoke('app:info', {});
    expect(info.ok).toBe(true);
    expect(received.filter((m) => (m as { type: string }).type === 'error')).toHaveLength(6);
  });

  it('ends cleanly: waiting invokes resolve DISCONNECTED, later ones too, and the engine stops batching', async () => {
    const { client } = await open();
    await client.attach();
    const waiting = client.invoke('app:snapshot', {});
    client.close();
    await client.closed;
    const late = await client.invoke('app:info', {});
    expect(late).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
    // The in-flight one either made it before the close or was answered DISCONNECTED: never left hanging.
    expect(['DISCONNECTED', undefined]).toContain(((await waiting) as { error?: { code: string } }).error?.code);
    const other = await open();
    expect((await other.client.invoke('app:info', {})).ok).toBe(true);
  });
});

describe('the IPC port, per window', () => {
  it('ends the session when the page reloads: what was meant for the old page never reaches the new one', async () => {
    const host = createEngineHost({ mode: 'browser', version: 'test', dataDir: null });
    try {
      const sessions = createIpcSessions(host, () => undefined);
      const frame = { url: 'app://sockscope/index.html', parent: null };
      const sent: { type: string; id?: number }[] = [];
      const contents = Object.assign(new EventEmitter(), {
        id: 1,
        isDestroyed: () => false,
        getURL: () => frame.url,
        send: (_channel: string, message: unknown) => sent.push(structuredClone(message) as { type: string; id?: number }),
      });
      // The old page asks for a snapshot and reloads before the answer is sent.
      sessions.receive(contents, frame, { type: 'invoke', id: 1, command: 'app:snapshot', payload: {} });
      contents.emit('did-navigate');
      sessions.receive(contents, frame, { type: 'hello', protocol: 1 });
      await until('the new page is attached', () => sent.some((m) => m.type === 'attached'));
      await new Promise((r) => setTimeout(r, 100));
      expect(sent.filter((m) => m.type === 'result')).toEqual([]);
      // One listener per page event, however many times the page reloaded.
      for (let i = 0; i < 20; i++) {
        contents.emit('did-navigate');
        sessions.receive(contents, frame, { type: 'hello', protocol: 1 });
      }
      expect(contents.listenerCount('did-navigate')).toBe(1);
      contents.emit('destroyed');
      expect(contents.listenerCount('destroyed')).toBe(0);
    } finally {
      await host.engine.shutdown();
    }
  });
});
