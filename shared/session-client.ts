/**
 * The client half of the session protocol (session-protocol.ts), over any port: the renderer uses
 * it over the WebSocket and over Electron IPC, the CLI and the tests over the in-process port.
 * No Node or DOM imports: it runs in all three places.
 */
import type { CommandResult } from './contract';
import { CommandResult as CommandResultSchema } from './contract';
import {
  AttachedMessage as AttachedSchema,
  SESSION_PROTOCOL,
  ServerEnvelope,
  type AttachedMessage,
  type ClientMessage,
  type SessionPort,
} from './session-protocol';

export type ClientPort = SessionPort<unknown, ClientMessage>;

/** Invokes waiting for their result at once; beyond this a caller is not awaiting its results. */
const MAX_PENDING_INVOKES = 4096;

export interface SessionClient {
  /** Runs one command; always resolves with an envelope (DISCONNECTED once the port closed). */
  invoke(command: string, payload: unknown): Promise<CommandResult>;
  /** Says hello: resolves with the engine's state at subscription; batches follow it. */
  attach(): Promise<AttachedMessage>;
  /** Receives every batch after `attached` (unchecked: see ServerEnvelope); returns the unsubscribe. */
  onBatch(listener: (batch: unknown) => void): () => void;
  /** Resolves once the port closed, from either side. */
  readonly closed: Promise<void>;
  close(): void;
}

export interface SessionClientOptions {
  log?: (line: string) => void;
  /**
   * How the `attached` snapshot is checked: 'parse' (the default) with the protocol's full schema;
   * 'shape' only the envelope and the snapshot's lists. The renderer takes 'shape' for the reason
   * batch-shape.ts gives for batches: the engine is the trusted side, and the full parse of a
   * snapshot with 800 conversations took 100–630 ms on the thread that draws the page.
   */
  snapshot?: 'parse' | 'shape';
  /** Say in the hello that this client applies `listener:changed` (its batches' listener timelines as appends). */
  timelineAppends?: boolean;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The envelope, and the lists the store iterates: enough to drop a foreign message whole. */
function attachedShape(raw: unknown): AttachedMessage | null {
  if (!isObj(raw) || raw.protocol !== SESSION_PROTOCOL || !isObj(raw.info) || !isObj(raw.snapshot)) return null;
  const s = raw.snapshot;
  const lists = [s.endpoints, s.conversations, s.traffic];
  return lists.every(Array.isArray) && isObj(s.rates) && isObj(s.ui) && isObj(s.session) ? (raw as unknown as AttachedMessage) : null;
}

const failure = (code: 'DISCONNECTED' | 'INTERNAL' | 'LIMIT', message: string): CommandResult => ({ ok: false, error: { code, message } });

export function createSessionClient(port: ClientPort, options: SessionClientOptions = {}): SessionClient {
  const log = options.log ?? (() => undefined);
  const checkAttached = options.snapshot === 'shape' ? attachedShape : (raw: unknown) => AttachedSchema.safeParse(raw).data ?? null;
  const pending = new Map<number, (r: CommandResult) => void>();
  const attachWaiters: { resolve: (m: AttachedMessage) => void; reject: (e: Error) => void }[] = [];
  const batchListeners = new Set<(batch: unknown) => void>();
  let nextId = 1;
  let isClosed = false;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));

  port.onMessage((raw) => {
    const envelope = ServerEnvelope.safeParse(raw);
    if (!envelope.success) {
      log('sockscope session: dropped a message that is not of the protocol');
      return;
    }
    const msg = envelope.data;
    if (msg.type === 'batch') {
      for (const l of batchListeners) l(msg.batch);
    } else if (msg.type === 'result') {
      const resolve = pending.get(msg.id);
      if (!resolve) return;
      pending.delete(msg.id);
      const result = CommandResultSchema.safeParse(msg.result);
      resolve(result.success ? (result.data as CommandResult) : failure('INTERNAL', 'malformed answer from the engine'));
    } else if (msg.type === 'attached') {
      const attached = checkAttached(raw);
      for (const w of attachWaiters.splice(0)) {
        if (attached) w.resolve(attached);
        else w.reject(new Error('malformed snapshot from the engine'));
      }
    } else {
      log(`sockscope session: the engine could not read a message: ${msg.message}`);
    }
  });

  port.onClose(() => {
    if (isClosed) return;
    isClosed = true;
    for (const resolve of pending.values()) resolve(failure('DISCONNECTED', 'the connection to the engine closed'));
    pending.clear();
    for (const w of attachWaiters.splice(0)) w.reject(new Error('the connection to the engine closed'));
    markClosed();
  });

  return {
    invoke(command, payload) {
      if (isClosed) return Promise.resolve(failure('DISCONNECTED', 'not connected to the engine'));
      if (pending.size >= MAX_PENDING_INVOKES) return Promise.resolve(failure('LIMIT', `more than ${MAX_PENDING_INVOKES} commands waiting for the engine`));
      const id = nextId++;
      return new Promise<CommandResult>((resolve) => {
        pending.set(id, resolve);
        port.send({ type: 'invoke', id, command, payload });
      });
    },
    attach() {
      if (isClosed) return Promise.reject(new Error('not connected to the engine'));
      return new Promise<AttachedMessage>((resolve, reject) => {
        attachWaiters.push({ resolve, reject });
        port.send({ type: 'hello', protocol: SESSION_PROTOCOL, ...(options.timelineAppends ? { timelineAppends: true as const } : {}) });
      });
    },
    onBatch(listener) {
      batchListeners.add(listener);
      return () => batchListeners.delete(listener);
    },
    closed,
    close() {
      port.close();
    },
  };
}
