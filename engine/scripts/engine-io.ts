/**
 * ScriptIo over the engine's own endpoints, through its command handlers (so a script's connection
 * is an ordinary endpoint with its workspace, timeline and traffic) and its event hub (to see what
 * arrives, copied at once: the ring buffer reuses its bytes).
 */
import { TlsClientOptions } from '../../shared/tls';
import type { ConnectionSnapshot, EndpointSnapshot } from '../../shared/endpoints';
import { formatSockAddr } from '../../shared/primitives';
import { SCRIPT_LIMITS, type ScriptConnect } from '../../shared/script';
import { invalidState } from '../command-error';
import type { CommandHandlers } from '../dispatcher';
import type { ManagedConversation } from '../contexts';
import type { Engine } from '../engine';
import type { HubEvent, HubSubscriber } from '../event-hub';
import { logInternalError } from '../fault-barrier';
import type { ScriptConnection, ScriptIo } from './script-io';

const LOOPBACK_V4 = /^127\./;

/**
 * Listens to the hub for one conversation (once known) and its endpoint's state changes. Bytes that
 * arrive before anyone listens (between connect() and the first expect) are held, within the expect
 * buffer's bound, and handed to the first listener.
 */
class HubTap implements HubSubscriber {
  private readonly receivers: ((b: Uint8Array) => void)[] = [];
  private readonly stateListeners: (() => void)[] = [];
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private unsubscribe: (() => void) | null;
  readonly keys = new Set<string>();
  conversationId: string | null = null;

  constructor(engine: Engine) {
    this.unsubscribe = engine.hub.subscribe(this);
  }

  push(e: HubEvent): void {
    // Runs inside the socket's own callbacks: never throw back into them.
    try {
      if (e.kind === 'traffic') {
        if (e.conversationId !== this.conversationId || e.chunk.dir !== 'in') return;
        const copy = Uint8Array.from(e.chunk.bytes);
        if (this.receivers.length === 0) this.hold(copy);
        for (const r of this.receivers) r(copy);
      } else if (this.keys.has(e.key)) {
        for (const l of this.stateListeners) l();
      }
    } catch (err) {
      logInternalError('a script watching its connection', err);
    }
  }

  private hold(b: Uint8Array): void {
    this.held.push(b);
    this.heldBytes += b.length;
    while (this.heldBytes > SCRIPT_LIMITS.expectBufferBytes && this.held.length > 1) this.heldBytes -= (this.held.shift() as Uint8Array).length;
  }

  onReceive(l: (b: Uint8Array) => void): void {
    this.receivers.push(l);
    for (const b of this.held.splice(0)) l(b);
    this.heldBytes = 0;
  }

  onState(l: () => void): void {
    this.stateListeners.push(l);
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}

function describeFailure(s: EndpointSnapshot): string {
  if (s.error) return `${s.error.code}: ${s.error.message}`;
  return `${s.kind === 'udp' ? 'the UDP endpoint' : 'the connection'} closed`;
}

export function engineScriptIo(engine: Engine, handlers: () => CommandHandlers): ScriptIo {
  const h = () => handlers();

  /**
   * Resolves when `check` gives a value, rejects when it gives an Error; checked on each state
   * change of the endpoint. `check` runs synchronously in the change, so it can point the tap at
   * the conversation before its first bytes are delivered.
   */
  function waitFor<T>(tap: HubTap, endpointId: string, check: (s: EndpointSnapshot) => T | Error | null): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const test = () => {
        if (settled) return;
        const e = engine.getEndpoint(endpointId);
        const r = e ? check(e.snapshot()) : new Error('the endpoint was removed');
        if (r === null) return;
        settled = true;
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      tap.keys.add(`endpoint:${endpointId}`);
      tap.onState(test);
      test();
    });
  }

  function connection(tap: HubTap, endpointId: string | null, conversationId: string, kind: ScriptConnection['kind'], peer: string): ScriptConnection {
    tap.conversationId = conversationId;
    tap.keys.add(`conversation:${conversationId}`);
    if (endpointId) tap.keys.add(`endpoint:${endpointId}`);
    const endedListeners: ((how: string) => void)[] = [];
    let ended: string | null = null;
    const checkEnded = () => {
      if (ended !== null) return;
      const how = endedHow(endpointId, conversationId);
      if (how === null) return;
      ended = how;
      for (const l of endedListeners) l(how);
    };
    tap.onState(checkEnded);
    const conversation = () => engine.requireStream(conversationId);
    return {
      endpointId,
      conversationId,
      peer,
      kind,
      send: async (bytes) => {
        if (kind === 'udp') {
          await h()['udp:send']({ endpointId: conversationId, data: Buffer.from(bytes).toString('base64') });
        } else {
          conversation().send(bytes);
        }
      },
      shutdown: async () => {
        if (kind === 'udp') throw invalidState('UDP has no FIN: use close');
        conversation().shutdown();
      },
      reset: async () => {
        if (kind === 'udp') throw invalidState('UDP has no RST: use close');
        conversation().reset();
      },
      close: async () => {
        if (endpointId) await h()['endpoint:close']({ endpointId });
        else conversation().shutdown();
      },
      startTls: async (options) => {
        if (kind === 'udp') throw invalidState('STARTTLS runs over TCP, not UDP');
        if (!endpointId) throw invalidState('STARTTLS is for a connection of the script’s own (or the one on screen), not a listener’s client');
        await h()['tcp:start-tls']({ endpointId, tls: TlsClientOptions.parse(options) });
        const after = conversation().snapshot();
        if (!after?.tls) throw new Error(after?.error ? `${after.error.code}: ${after.error.message}` : 'the TLS handshake did not complete');
        return `${after.tls.version}, ${after.tls.cipher}${after.tls.verified ? ', certificate trusted' : ', certificate not verified'}`;
      },
      note: (call, result, ok) => {
        let target: ManagedConversation;
        try {
          target = engine.requireConversation(conversationId);
        } catch {
          return; // A closed conversation may already be forgotten: no timeline to write to.
        }
        try {
          target.note?.(call, result, ok);
        } catch (err) {
          logInternalError('a script writing to the socket-call timeline', err);
        }
      },
      onReceive: (l) => tap.onReceive(l),
      onEnded: (l) => {
        endedListeners.push(l);
        checkEnded();
      },
      detach: () => tap.close(),
    };
  }

  function endedHow(endpointId: string | null, conversationId: string): string | null {
    const endpoint = endpointId ? engine.getEndpoint(endpointId) : undefined;
    const snap = endpoint?.snapshot();
    if (snap?.kind === 'udp') return snap.state === 'closed' ? describeFailure(snap) : null;
    let c;
    try {
      c = engine.requireConversation(conversationId).snapshot();
    } catch {
      return 'the connection was removed';
    }
    if (!c) return null;
    if (c.state === 'peer-closed') return 'the peer closed its side (FIN)';
    if (c.state !== 'closed') return null;
    if (c.error) return `${c.error.code}: ${c.error.message}`;
    return c.firstToClose === 'peer-reset' ? 'the peer reset the connection (RST)' : 'the connection closed';
  }

  return {
    async connect(spec: ScriptConnect): Promise<ScriptConnection> {
      if (spec.udp) {
        const host = spec.host as string;
        const literal = host.replace(/^\[|\]$/g, '');
        const bindAddress = literal === '::1' ? '::1' : LOOPBACK_V4.test(literal) ? '127.0.0.1' : literal.includes(':') ? '::' : '0.0.0.0';
        const { endpointId } = await h()['udp:bind']({ bindAddress, port: 0 });
        const bound = engine.getEndpoint(endpointId)?.snapshot();
        if (!bound || bound.kind !== 'udp' || bound.state !== 'bound') throw new Error(bound ? describeFailure(bound) : 'the UDP endpoint is gone');
        const tap = new HubTap(engine);
        tap.conversationId = endpointId;
        try {
          await h()['udp:connect']({ endpointId, host, port: spec.port as number | string });
        } catch (err) {
          tap.close();
          throw err;
        }
        const to = engine.getEndpoint(endpointId)?.snapshot();
        const peer = to?.kind === 'udp' && to.connectedTo ? formatSockAddr(to.connectedTo) : host;
        return connection(tap, endpointId, endpointId, 'udp', peer);
      }
      const request = spec.path !== undefined ? { path: spec.path } : { host: spec.host as string, port: spec.port as number | string };
      const tap = new HubTap(engine);
      try {
        const tls = spec.tls ? { tls: TlsClientOptions.parse(spec.tls === true ? {} : spec.tls) } : {};
        const { endpointId } = await h()['tcp:connect']({ ...request, ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}), ...tls });
        const snap = await waitFor(tap, endpointId, (s) => {
          const c = s as ConnectionSnapshot;
          // Connected, even if the peer already closed again: what it sent first is still to be read.
          if (c.conversationId) {
            tap.conversationId = c.conversationId;
            return c;
          }
          if (c.state === 'closed') return new Error(describeFailure(c));
          return null;
        });
        const peer = snap.remote ? formatSockAddr(snap.remote) : (spec.path ?? '');
        return connection(tap, endpointId, snap.conversationId as string, spec.path !== undefined ? 'unix' : 'tcp', peer);
      } catch (err) {
        tap.close();
        throw err;
      }
    },

    adopt(conversationId: string): ScriptConnection {
      const c = engine.requireConversation(conversationId);
      const endpoint = engine.requireEndpoint(c.endpointId).snapshot();
      if (endpoint.kind === 'udp') {
        if (!endpoint.connectedTo) throw invalidState('a script on a UDP endpoint needs it connected to one peer (Connect in its workspace)');
        return connection(new HubTap(engine), endpoint.id, conversationId, 'udp', formatSockAddr(endpoint.connectedTo));
      }
      const snap = c.snapshot();
      if (!snap || snap.state === 'closed') throw invalidState('the conversation is closed');
      const own = endpoint.kind === 'tcp-connection' ? endpoint.id : null;
      const kind = snap.remote?.kind === 'unix' ? 'unix' : 'tcp';
      return connection(new HubTap(engine), own, conversationId, kind, snap.remote ? formatSockAddr(snap.remote) : '');
    },
  };
}
