/**
 * The real side of the stateful fuzzer (stateful-fuzz.ts): one engine with a UI client attached,
 * real loopback peers (raw TCP/Unix clients, UDP peers), a temporary folder for Unix socket paths
 * and recordings, and every check that a command sequence must pass — envelopes, batches, the
 * engine's endpoint list against the model, leftovers at the end.
 *
 * No vitest here: plain Node, so `npm run soak` can run the fuzzer too.
 */
import dgram from 'node:dgram';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CommandResult,
  commands,
  EventBatch,
  type CommandName,
  type CommandRequest,
  type EngineEvent,
} from '../../shared/contract';
import type { ConversationSnapshot, EndpointKind, EndpointSnapshot } from '../../shared/endpoints';
import { createEngineHost, type EngineHost } from '../index';
import { TcpListener } from '../tcp/listener';
import { type ProcessWatch, watchProcess } from '../testing/faults';
import { openFds } from './soak-runner';

/** How long any command may take to answer before the run fails as a hang. */
export const COMMAND_TIMEOUT_MS = 5000;
/** Open fds allowed above the count before the run (the runtime's own lazily opened ones). */
export const FD_TOLERANCE = 4;

/** What the model knows: the endpoints that must exist, and ids that existed. */
export interface FuzzModel {
  endpoints: Map<string, EndpointKind>;
  removed: string[];
  /** Conversation ids ever seen (TCP streams, listener clients, UDP logs): targets for conversation commands. */
  conversations: string[];
  /** `system-sockets:snapshot` runs ss: a few per run at most. */
  systemSocketCalls: number;
}

export const emptyModel = (): FuzzModel => ({ endpoints: new Map(), removed: [], conversations: [], systemSocketCalls: 0 });

/** A raw peer of one of our listeners. */
export interface PeerClient {
  socket: Socket;
  unix: boolean;
}

/** The endpoint a conversation belongs to: `l1.c3` → `l1`, `c2.s1` → `c2`, `u4` → `u4`. */
export const endpointOfConversation = (conversationId: string) => conversationId.split('.')[0] as string;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The UI as a window would hold it, folded from batches only. */
class UiMirror {
  readonly endpoints = new Map<string, EndpointSnapshot>();
  readonly conversations = new Map<string, ConversationSnapshot>();
  readonly traffic = new Set<string>();
  private readonly removed = new Set<string>();

  /** What a UI starts from when it (re)loads. */
  load(snapshot: { endpoints: EndpointSnapshot[]; conversations: ConversationSnapshot[] }): void {
    for (const e of snapshot.endpoints) this.endpoints.set(e.id, e);
    for (const c of snapshot.conversations) this.conversations.set(c.id, c);
  }

  /** Applies one batch; returns what a UI could not make sense of. */
  apply(events: EngineEvent[]): string[] {
    const wrong: string[] = [];
    for (const e of events) {
      switch (e.type) {
        case 'endpoint:changed':
          if (this.removed.has(e.endpoint.id)) wrong.push(`endpoint:changed for ${e.endpoint.id} after its endpoint:removed (a ghost workspace)`);
          if (e.endpoint.error?.code === 'INTERNAL') wrong.push(`${e.endpoint.id} failed with an internal error: ${e.endpoint.error.message}`);
          this.endpoints.set(e.endpoint.id, e.endpoint);
          break;
        case 'endpoint:removed':
          this.removed.add(e.endpointId);
          this.endpoints.delete(e.endpointId);
          for (const [cid, c] of this.conversations) if (c.endpointId === e.endpointId) this.conversations.delete(cid);
          for (const cid of this.traffic) if (endpointOfConversation(cid) === e.endpointId) this.traffic.delete(cid);
          break;
        case 'conversation:changed':
          if (this.removed.has(e.conversation.endpointId)) {
            wrong.push(`conversation:changed for ${e.conversation.id} after endpoint:removed of ${e.conversation.endpointId} (kept forever by the UI)`);
          }
          this.conversations.set(e.conversation.id, e.conversation);
          break;
        case 'traffic:appended':
          if (this.removed.has(endpointOfConversation(e.conversationId))) {
            wrong.push(`traffic:appended for ${e.conversationId} after endpoint:removed of its endpoint (kept forever by the UI)`);
          }
          this.traffic.add(e.conversationId);
          break;
        case 'recent-hosts:changed':
        case 'rates:sampled':
          break;
      }
    }
    return wrong;
  }
}

export class FuzzWorld {
  host: EngineHost;
  readonly dir: string;
  /** Unix socket paths live here; at the end only the stale files peers made may remain. */
  readonly socksDir: string;
  readonly dataDir: string;
  /** Everything that fails the run, in order. */
  readonly problems: string[] = [];
  /** What ran, resolved (real ids, ports, paths): printed with a failure. */
  readonly trace: string[] = [];
  readonly peers: PeerClient[] = [];
  /** Socket files a peer left stale on purpose (the engine did not create them). */
  readonly staleMade = new Set<string>();
  private readonly aliasFolders = new Set<string>();
  ui = new UiMirror();
  /** The last `session:export` of this run: what `session:import` feeds back. */
  lastExport: string | null = null;
  /** A loopback port where nothing listened a moment ago. */
  closedPort = 9;
  private readonly udpPeers = new Map<'udp4' | 'udp6', dgram.Socket>();
  private readonly watch: ProcessWatch;
  private detach: () => void;
  private readonly fdsAtStart: number;
  private readonly originalConsoleError = console.error;
  private commandCount = 0;

  private constructor() {
    this.fdsAtStart = openFds();
    this.watch = watchProcess();
    this.dir = mkdtempSync(join(tmpdir(), 'sockscope-fuzz-'));
    this.socksDir = join(this.dir, 's');
    this.dataDir = join(this.dir, 'data');
    mkdirSync(this.socksDir);
    writeFileSync(join(this.socksDir, 'plain-file'), 'not a socket');
    // The fault barrier and the dispatcher log a bug with console.error: each is a failure here.
    console.error = (...args: unknown[]) => {
      const text = args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' ');
      if (/internal error|command .* failed|restoring .* failed/.test(text)) this.problems.push(`logged: ${text.slice(0, 500)}`);
      else this.originalConsoleError(...args);
    };
    this.host = createEngineHost({ mode: 'browser', version: 'fuzz', dataDir: this.dataDir });
    this.detach = this.attachUi();
  }

  /** A UI client, as a window or tab attaches: every batch it gets is parsed and folded into `ui`. */
  private attachUi(): () => void {
    return this.host.engine.attachClient({
      send: (batch) => {
        const parsed = EventBatch.safeParse(batch);
        if (!parsed.success) {
          this.problems.push(`invalid batch: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
          return;
        }
        for (const w of this.ui.apply(parsed.data.events)) this.problems.push(`batch ${batch.seq}: ${w}`);
      },
    });
  }

  /**
   * Quit and start again on the same data folder: the session brings back as many endpoints of
   * each kind as were open (under new ids), within 5 s, and a UI that reloads starts from the
   * snapshot. Returns the new engine's endpoints.
   */
  async restart(): Promise<Map<string, EndpointKind>> {
    const kinds = (list: { kind: EndpointKind }[]) => list.map((e) => e.kind).sort().join(', ');
    const before = kinds(this.engine.listEndpoints());
    const shutdown = await Promise.race([this.engine.shutdown().then(() => 'done'), sleep(COMMAND_TIMEOUT_MS).then(() => 'hung')]);
    if (shutdown !== 'done') throw new Error(`engine.shutdown() did not resolve within ${COMMAND_TIMEOUT_MS} ms\n${this.describe()}`);
    this.detach();
    const host = createEngineHost({ mode: 'browser', version: 'fuzz', dataDir: this.dataDir });
    this.host = host;
    this.ui = new UiMirror();
    this.detach = this.attachUi();
    const restored = await Promise.race([host.restored.then(() => 'done'), sleep(COMMAND_TIMEOUT_MS).then(() => 'hung')]);
    if (restored !== 'done') throw new Error(`the session was not restored within ${COMMAND_TIMEOUT_MS} ms\n${this.describe()}`);
    const snapshot = await this.call('app:snapshot', {}, { quiet: true });
    if (snapshot.ok) this.ui.load(snapshot.value as { endpoints: EndpointSnapshot[]; conversations: ConversationSnapshot[] });
    const after = kinds(this.engine.listEndpoints());
    this.note(`restart: [${before}] → [${after}]`);
    if (after !== before) throw new Error(`after a restart the session brought back [${after}], not the [${before}] that were open\n${this.describe()}`);
    return new Map(this.engine.listEndpoints().map((e) => [e.id, e.kind]));
  }

  static async create(): Promise<FuzzWorld> {
    const w = new FuzzWorld();
    w.closedPort = await freePort();
    return w;
  }

  get engine() {
    return this.host.engine;
  }

  note(line: string): void {
    this.trace.push(line);
  }

  /**
   * One command through the real dispatcher: it must answer within COMMAND_TIMEOUT_MS with a valid
   * envelope, a value matching the command's response schema, and never INTERNAL (a bug).
   */
  async call<N extends CommandName>(
    name: N,
    payload: CommandRequest<N> | Record<string, unknown>,
    opts: { quiet?: boolean } = {},
  ): Promise<CommandResult> {
    const n = opts.quiet ? this.commandCount : ++this.commandCount;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), COMMAND_TIMEOUT_MS);
    });
    let answer: unknown;
    try {
      answer = await Promise.race([this.host.dispatch(name, payload), timeout]);
    } catch (err) {
      answer = { rejected: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
    const shown = `#${n} ${name} ${shortJson(payload)}`;
    if (answer === 'timeout') {
      this.note(`${shown} → no answer`);
      throw new Error(`${name} did not answer within ${COMMAND_TIMEOUT_MS} ms\n${this.describe()}`);
    }
    const envelope = CommandResult.safeParse(answer);
    if (!envelope.success) {
      this.note(`${shown} → ${shortJson(answer)}`);
      throw new Error(`${name} answered with no valid envelope: ${shortJson(answer)}\n${this.describe()}`);
    }
    const r = envelope.data as CommandResult;
    if (!opts.quiet || !r.ok) this.note(`${shown} → ${r.ok ? `ok ${shortJson(r.value)}` : `${r.error.code}: ${r.error.message.slice(0, 160)}`}`);
    if (r.ok) {
      const value = commands[name].response.safeParse(r.value);
      if (!value.success) this.problems.push(`${name} answered a value outside its schema: ${value.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    } else if (r.error.code === 'INTERNAL') {
      this.problems.push(`${name} failed with INTERNAL (an unexpected throw): ${r.error.message}`);
    }
    return r;
  }

  endpoint(id: string): EndpointSnapshot | null {
    return this.engine.getEndpoint(id)?.snapshot() ?? null;
  }

  /** Where a listener (or UDP endpoint) can be reached now, if it is bound. */
  address(id: string): { host: string; port: number } | { path: string } | null {
    const local = this.endpoint(id)?.local;
    if (!local) return null;
    return local.kind === 'unix' ? { path: local.path } : { host: local.host, port: local.port };
  }

  unixPath(slot: number): string {
    return join(this.socksDir, `p${slot}.sock`);
  }

  // -----------------------------------------------------------------------------------------------
  // peers

  /** A raw client of `target`; resolves once connected or failed (then it is not kept). */
  async connectPeer(target: { host: string; port: number } | { path: string }): Promise<string> {
    const socket = 'path' in target ? connect({ path: target.path, allowHalfOpen: true }) : connect({ ...target, allowHalfOpen: true });
    socket.on('error', () => {});
    socket.on('data', () => {});
    const outcome = await new Promise<string>((resolve) => {
      const t = setTimeout(() => resolve('no answer in 1 s'), 1000);
      socket.once('connect', () => {
        clearTimeout(t);
        resolve('connected');
      });
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(t);
        resolve(e.code ?? e.message);
      });
    });
    if (outcome === 'connected') this.peers.push({ socket, unix: 'path' in target });
    else socket.destroy();
    return outcome;
  }

  peer(n: number): PeerClient | null {
    return this.peers.length === 0 ? null : (this.peers[n % this.peers.length] as PeerClient);
  }

  /** A UDP peer socket on loopback (one per family, made on first use). */
  async udpPeer(type: 'udp4' | 'udp6'): Promise<dgram.Socket> {
    let s = this.udpPeers.get(type);
    if (!s) {
      const socket = dgram.createSocket(type);
      socket.on('error', () => {});
      socket.on('message', () => {});
      await new Promise<void>((resolve) => socket.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', () => resolve()));
      this.udpPeers.set(type, socket);
      s = socket;
    }
    return s;
  }

  /**
   * A socket file nothing listens on: a server listens at a hidden path, the file is renamed to
   * `path`, and the server closes (it removes only its own, now missing, path).
   */
  async makeStaleSocket(path: string): Promise<string> {
    if (exists(path)) return 'path taken';
    const hidden = `${path}.tmp`;
    const server = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(hidden, () => resolve(true));
    });
    if (!ok) return 'could not listen';
    renameSync(hidden, path);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.staleMade.add(path);
    return 'stale';
  }

  // -----------------------------------------------------------------------------------------------
  // checks

  /** Conversation ids the engine lists now join the model's (they stay known after they go). */
  learnConversations(m: FuzzModel): void {
    for (const c of this.engine.listConversations()) if (!m.conversations.includes(c.id)) m.conversations.push(c.id);
  }

  /** The private folders Unix listeners bind through (unix-socket-file.ts): each must be gone at the end. */
  private learnAliasFolders(): void {
    for (const e of this.engine.listEndpoints()) {
      if (!(e instanceof TcpListener)) continue;
      const bound = e.unixKernelPath;
      if (bound && bound !== e.snapshot().request.path) this.aliasFolders.add(dirname(dirname(bound)));
    }
  }

  /** After every command: nothing crashed, the engine answers, and it holds exactly the model's endpoints. */
  async checkInvariants(m: FuzzModel, removedNow: string[] = []): Promise<void> {
    this.learnConversations(m);
    this.learnAliasFolders();
    if (this.watch.events.length > 0) this.problems.push(...this.watch.events.splice(0));
    this.failOnProblems();
    const info = await this.call('app:info', {}, { quiet: true });
    if (!info.ok) throw new Error(`app:info failed: ${info.error.message}\n${this.describe()}`);
    const engineIds = this.engine.listEndpoints().map((e) => e.id).sort();
    const modelIds = [...m.endpoints.keys()].sort();
    if (engineIds.join() !== modelIds.join()) {
      throw new Error(`the engine lists endpoints [${engineIds.join(', ')}], the model expects [${modelIds.join(', ')}]\n${this.describe()}`);
    }
    for (const e of this.engine.listEndpoints()) {
      const err = e.snapshot().error;
      if (err?.code === 'INTERNAL') throw new Error(`${e.id} failed with an internal error: ${err.message}\n${this.describe()}`);
    }
    for (const id of m.conversations) {
      // A recording of a removed endpoint's conversation would hold its file open until quit.
      if (!m.endpoints.has(endpointOfConversation(id)) && this.engine.recordings.isRecording(id)) {
        throw new Error(`${id} is still being recorded after its endpoint was removed\n${this.describe()}`);
      }
    }
    for (const c of this.engine.listConversations()) {
      if (!this.engine.getEndpoint(c.endpointId)) throw new Error(`conversation ${c.id} outlived its endpoint ${c.endpointId}\n${this.describe()}`);
    }
    // A reset shows `closed` at once; the socket's close event (which ends its recording) follows.
    const recordingClosed = () =>
      this.engine.listConversations().filter((c) => (c.snapshot() ?? this.endpoint(c.endpointId))?.state === 'closed' && this.engine.recordings.isRecording(c.id));
    for (let tries = 0; recordingClosed().length > 0 && tries < 20; tries++) await sleep(10);
    const stillRecording = recordingClosed();
    if (stillRecording.length > 0) throw new Error(`${stillRecording.map((c) => c.id).join(', ')} closed but still being recorded\n${this.describe()}`);
    if (removedNow.length > 0) await this.checkRemovedGone(removedNow);
    this.failOnProblems();
  }

  /** A removed endpoint is gone from the next snapshot: itself, its conversations, their traffic. */
  private async checkRemovedGone(ids: string[]): Promise<void> {
    const r = await this.call('app:snapshot', {}, { quiet: true });
    if (!r.ok) throw new Error(`app:snapshot failed: ${r.error.message}\n${this.describe()}`);
    const snap = r.value as { endpoints: EndpointSnapshot[]; conversations: ConversationSnapshot[]; traffic: { conversationId: string }[] };
    for (const id of ids) {
      const left = [
        ...snap.endpoints.filter((e) => e.id === id).map((e) => `endpoint ${e.id}`),
        ...snap.conversations.filter((c) => c.endpointId === id).map((c) => `conversation ${c.id}`),
        ...snap.traffic.filter((t) => endpointOfConversation(t.conversationId) === id).map((t) => `traffic of ${t.conversationId}`),
      ];
      if (left.length > 0) throw new Error(`removed ${id}, but the next snapshot still has ${left.join(', ')}\n${this.describe()}`);
    }
  }

  private failOnProblems(): void {
    if (this.problems.length > 0) throw new Error(`${this.problems.slice(0, 5).join('\n')}\n${this.describe()}`);
  }

  /** The resolved trace of this run: what a person needs to reproduce a failure by hand. */
  describe(): string {
    const lines = this.trace.length > 80 ? ['…', ...this.trace.slice(-80)] : this.trace;
    return `trace of this run (${this.trace.length} steps):\n  ${lines.join('\n  ')}`;
  }

  /**
   * The end of a run: the UI's view converges on the engine's, shutdown resolves, and every fd and
   * socket file the run opened is gone. Always releases the world, even when a check fails.
   */
  async finish(opts: { check: boolean }): Promise<void> {
    try {
      if (!opts.check) return;
      await this.checkUiConverges();
      const shutdown = await Promise.race([this.engine.shutdown().then(() => 'done'), sleep(COMMAND_TIMEOUT_MS).then(() => 'hung')]);
      if (shutdown !== 'done') throw new Error(`engine.shutdown() did not resolve within ${COMMAND_TIMEOUT_MS} ms\n${this.describe()}`);
      await this.closePeers();
      await this.checkReleased();
      await this.checkFds();
      this.checkSocketFiles();
      if (this.watch.events.length > 0) this.problems.push(...this.watch.events.splice(0));
      this.failOnProblems();
    } finally {
      await this.release();
    }
  }

  /** Once quiet, a UI that applied every batch shows exactly the engine's endpoints, in their states. */
  private async checkUiConverges(): Promise<void> {
    const deadline = Date.now() + 3000;
    let diff = '';
    for (;;) {
      diff = this.uiDiff();
      if (!diff || Date.now() > deadline || this.problems.length > 0) break;
      await sleep(50);
    }
    this.failOnProblems();
    if (diff) throw new Error(`the UI's view never matched the engine's: ${diff}\n${this.describe()}`);
  }

  private uiDiff(): string {
    const engineIds = this.engine.listEndpoints().map((e) => e.id).sort().join();
    const uiIds = [...this.ui.endpoints.keys()].sort().join();
    if (engineIds !== uiIds) return `endpoints: engine [${engineIds}], UI [${uiIds}]`;
    for (const e of this.engine.listEndpoints()) {
      const ui = this.ui.endpoints.get(e.id);
      const state = e.snapshot().state;
      if (ui?.state !== state) return `${e.id} is ${state}, the UI shows ${ui?.state}`;
    }
    const conversations = new Set(this.engine.listConversations().map((c) => c.id));
    for (const id of this.ui.conversations.keys()) if (!conversations.has(id)) return `the UI keeps conversation ${id}, which the engine no longer has`;
    for (const id of this.ui.traffic) if (!conversations.has(id)) return `the UI keeps traffic of ${id}, which the engine no longer has`;
    return '';
  }

  private async closePeers(): Promise<void> {
    for (const p of this.peers.splice(0)) p.socket.destroy();
    for (const s of this.udpPeers.values()) await new Promise<void>((resolve) => s.close(() => resolve()));
    this.udpPeers.clear();
  }

  /**
   * After shutdown every stream socket is counted closed (a count that never returns to 0 would
   * one day refuse every connection at the cap), no once-a-second ticker is left, no recording runs.
   */
  private async checkReleased(): Promise<void> {
    const internals = this.engine as unknown as { openConnections: number; tickers: Set<unknown> };
    const deadline = Date.now() + 3000;
    while ((internals.openConnections !== 0 || internals.tickers.size !== 0) && Date.now() < deadline) await sleep(50);
    if (internals.openConnections !== 0) throw new Error(`${internals.openConnections} stream sockets still counted open after shutdown\n${this.describe()}`);
    if (internals.tickers.size !== 0) throw new Error(`${internals.tickers.size} once-a-second tickers left after shutdown\n${this.describe()}`);
    const recording = this.engine.listConversations().filter((c) => this.engine.recordings.isRecording(c.id));
    if (recording.length > 0) throw new Error(`still recording after shutdown: ${recording.map((c) => c.id).join(', ')}\n${this.describe()}`);
  }

  private async checkFds(): Promise<void> {
    if (this.fdsAtStart < 0) return;
    const deadline = Date.now() + 3000;
    let fds = openFds();
    while (fds > this.fdsAtStart + FD_TOLERANCE && Date.now() < deadline) {
      await sleep(50);
      fds = openFds();
    }
    if (fds > this.fdsAtStart + FD_TOLERANCE) {
      throw new Error(`${fds - this.fdsAtStart} fds more open than before the run (${this.fdsAtStart} → ${fds}) after shutdown\n${this.describe()}`);
    }
  }

  private checkSocketFiles(): void {
    const left = readdirSync(this.socksDir)
      .map((f) => join(this.socksDir, f))
      .filter((p) => isSocket(p) && !this.staleMade.has(p));
    if (left.length > 0) throw new Error(`socket files left after shutdown: ${left.join(', ')}\n${this.describe()}`);
    const folders = [...this.aliasFolders].filter(exists);
    if (folders.length > 0) throw new Error(`Unix listeners' private folders left after shutdown: ${folders.join(', ')}\n${this.describe()}`);
  }

  private async release(): Promise<void> {
    await this.closePeers();
    await this.engine.shutdown();
    this.detach();
    this.watch.dispose();
    console.error = this.originalConsoleError;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function isSocket(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 9;
      s.close(() => resolve(port));
    });
  });
}

/** JSON for the trace: long strings (base64 payloads) cut short. */
export function shortJson(v: unknown): string {
  const text = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && x.length > 48 ? `${x.slice(0, 24)}…(${x.length} chars)` : x));
  return text === undefined ? 'undefined' : text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
