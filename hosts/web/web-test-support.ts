/**
 * Shared by the browser-mode host's tests (not bundled into the host): the real web server with a
 * real engine in process, the real host as a process (bundled as scripts/build.mjs bundles it), a
 * contract-speaking WebSocket client and raw TCP exchanges.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { CommandResult } from '../../shared/contract';
import { createEngineHost, type EngineHost } from '../../engine/index';
import { bundleNodeEntry } from '../../engine/testing/node-bundle';
import { APP_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from './upgrade-gate';
import { startWebServer, type WebServer, type WebServerLimits } from './web-server';

export interface WebTestHost {
  server: WebServer;
  engineHost: EngineHost;
  /** The served folder (index.html only, unless a test adds files). */
  rendererDir: string;
  /** What the server logged. */
  logs: string[];
  close(): Promise<void>;
}

export async function startTestHost(limits?: Partial<WebServerLimits>): Promise<WebTestHost> {
  const rendererDir = mkdtempSync(join(tmpdir(), 'sockscope-web-test-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Sockscope</title>');
  const engineHost = createEngineHost({ mode: 'browser', version: 'test', dataDir: null });
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);
  const server = await startWebServer({ host: '127.0.0.1', port: 0, rendererDir, engineHost, log, ...(limits ? { limits } : {}) });
  return {
    server,
    engineHost,
    rendererDir,
    logs,
    close: async () => {
      await server.close();
      await engineHost.engine.shutdown();
      rmSync(rendererDir, { recursive: true, force: true });
    },
  };
}

/** The browser-mode host bundled into a temporary folder (never a stale out/), as a process runs it. */
export interface BundledWebHost {
  /** The temporary folder: `web/web-host.cjs`, `renderer/index.html`, and room for data folders. */
  readonly work: string;
  readonly script: string;
  /** Removes the folder. */
  remove(): void;
}

/** hosts/web/web-host.ts bundled exactly as scripts/build.mjs bundles out/web/web-host.cjs, with an index.html beside it. */
export async function bundleWebHost(prefix: string): Promise<BundledWebHost> {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const script = join(work, 'web', 'web-host.cjs');
  mkdirSync(join(work, 'renderer'));
  writeFileSync(join(work, 'renderer', 'index.html'), '<!doctype html><title>Sockscope</title>');
  await bundleNodeEntry('hosts/web/web-host.ts', script);
  return { work, script, remove: () => rmSync(work, { recursive: true, force: true }) };
}

export interface WebHostProcess {
  child: ChildProcess;
  /** The URL it printed (`Sockscope UI: …`), token included. */
  url: URL;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the bundled host on port 0 with `args`; resolves once it printed its URL (10 s at most). */
export async function startWebHostProcess(host: BundledWebHost, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<WebHostProcess> {
  const child = spawn(process.execPath, [host.script, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`host did not print its URL: ${out}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^Sockscope UI: (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', () => reject(new Error(`host exited: ${out}`)));
  });
  return { child, url: new URL(url), output: () => out, exited };
}

/** SIGINT (as Ctrl+C), SIGKILL after 5 s; resolves with the exit code. */
export async function stopWebHostProcess(host: WebHostProcess): Promise<number | null> {
  if (host.child.exitCode === null && host.child.signalCode === null) host.child.kill('SIGINT');
  const timer = setTimeout(() => host.child.kill('SIGKILL'), 5_000);
  const { code } = await host.exited;
  clearTimeout(timer);
  return code;
}

export interface TestClient {
  ws: WebSocket;
  closed: Promise<number>;
  invoke(command: string, payload: unknown): Promise<CommandResult>;
}

/** An authenticated client (token by subprotocol) that speaks the contract. */
export async function wsClient(port: number, token: string): Promise<TestClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, [APP_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`], { maxPayload: 256 * 1024 * 1024 });
  const waiting = new Map<number, (r: CommandResult) => void>();
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { type: string; id?: number; result?: CommandResult };
    if (msg.type === 'result' && msg.id !== undefined && msg.result) waiting.get(msg.id)?.(msg.result);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
  let nextId = 1;
  return {
    ws,
    closed,
    invoke(command, payload) {
      const id = nextId++;
      const done = new Promise<CommandResult>((resolve) => waiting.set(id, resolve));
      ws.send(JSON.stringify({ type: 'invoke', id, command, payload }));
      return done;
    },
  };
}

/** GET / as a browser would: status and the Content-Security-Policy header. */
export function getIndex(port: number): Promise<{ status: number; csp: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, csp: String(res.headers['content-security-policy'] ?? '') }));
    });
    req.on('error', reject);
    req.setTimeout(3000, () => req.destroy(new Error('GET / timed out')));
    req.end();
  });
}

/** Throws unless the host serves the UI (200 with its CSP) and a fresh authenticated client's app:info. */
export async function expectHostServes(host: WebTestHost): Promise<void> {
  const index = await getIndex(host.server.port);
  if (index.status !== 200 || !index.csp.startsWith("default-src 'none'")) throw new Error(`GET / answered ${index.status}, CSP "${index.csp}"`);
  const c = await wsClient(host.server.port, host.server.token);
  const info = await c.invoke('app:info', {});
  c.ws.terminate();
  if (!info.ok) throw new Error(`app:info failed: ${info.error.message}`);
}

/**
 * Writes `bytes` on a fresh connection (then half-closes it unless `keepOpen`), and collects what
 * the server answers until it closes the connection, switches to WebSocket, or `timeoutMs` passes.
 */
export function rawExchange(port: number, bytes: Buffer | string, opts: { timeoutMs?: number; keepOpen?: boolean } = {}): Promise<{ answer: string; serverClosed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const finish = (serverClosed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), serverClosed });
    };
    const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 2000);
    socket.on('connect', () => {
      socket.write(bytes);
      if (!opts.keepOpen) socket.end();
    });
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      // Became a WebSocket session: the server will not close it, we do.
      const answer = Buffer.concat(chunks).toString('latin1');
      if (answer.startsWith('HTTP/1.1 101 ') && answer.includes('\r\n\r\n')) finish(false);
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
  });
}
