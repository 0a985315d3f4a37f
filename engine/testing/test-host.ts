/**
 * The one test host every engine test uses: a real engine behind the real dispatcher (as
 * `createEngineHost` builds it for the hosts), typed commands, and snapshot accessors that fail
 * loudly when an id is not what the test thinks it is.
 */
import { afterEach } from 'vitest';
import type { CommandName, CommandRequest, CommandResponse, EngineSnapshot } from '../../shared/contract';
import type { ConnectionSnapshot, ConversationSnapshot, EndpointSnapshot, ListenerSnapshot, UdpSnapshot } from '../../shared/endpoints';
import type { BridgeError } from '../../shared/errors';
import type { Dispatch } from '../dispatcher';
import type { Engine } from '../engine';
import { createEngineHost } from '../index';
import type { StoredChunk } from '../traffic/traffic-log';
import type { UdpLimits } from '../udp/udp-limits';
import { cleanupPeers } from './cleanup';

export interface TestHostOptions {
  /** Where the session file lives; null (default) keeps it in memory. */
  dataDir?: string | null;
  /** Smaller UDP receive budgets than UDP_LIMITS (udp/udp-receive-budget.test.ts): the engine's own option. */
  udpLimits?: Partial<UdpLimits>;
  /** The engine's traffic memory for all rings together (traffic-memory.test.ts): the engine's own option. */
  trafficMemoryBytes?: number;
}

export class TestHost {
  readonly engine: Engine;
  readonly dispatch: Dispatch;
  /** Settles once the saved session's endpoints are open again. */
  readonly restored: Promise<void>;
  private readonly cleanups: (() => unknown)[] = [];

  constructor(options: TestHostOptions = {}) {
    const host = createEngineHost({
      mode: 'browser',
      version: 'test',
      dataDir: options.dataDir ?? null,
      udpLimits: options.udpLimits,
      trafficMemoryBytes: options.trafficMemoryBytes,
    });
    this.engine = host.engine;
    this.dispatch = host.dispatch;
    this.restored = host.restored;
  }

  async call<N extends CommandName>(name: N, payload: CommandRequest<N>): Promise<CommandResponse<N>> {
    const r = await this.dispatch(name, payload);
    if (!r.ok) throw new Error(`${name} failed: ${r.error.code} ${r.error.message}`);
    return r.value as CommandResponse<N>;
  }

  /** Expects a refusal: `payload` may be anything, invalid requests included. */
  async fail(name: CommandName, payload: unknown): Promise<BridgeError> {
    const r = await this.dispatch(name, payload);
    if (r.ok) throw new Error(`${name} unexpectedly succeeded: ${JSON.stringify(r.value)}`);
    return r.error;
  }

  snapshot(): Promise<EngineSnapshot> {
    return this.call('app:snapshot', {});
  }

  endpoint(id: string): EndpointSnapshot {
    return this.engine.requireEndpoint(id).snapshot();
  }

  listener(id: string): ListenerSnapshot {
    const s = this.endpoint(id);
    if (s.kind !== 'tcp-listener') throw new Error(`${id} is a ${s.kind}`);
    return s;
  }

  connection(id: string): ConnectionSnapshot {
    const s = this.endpoint(id);
    if (s.kind !== 'tcp-connection') throw new Error(`${id} is a ${s.kind}`);
    return s;
  }

  udp(id: string): UdpSnapshot {
    const s = this.endpoint(id);
    if (s.kind !== 'udp') throw new Error(`${id} is a ${s.kind}`);
    return s;
  }

  conversation(id: string): ConversationSnapshot {
    const s = this.engine.requireConversation(id).snapshot();
    if (!s) throw new Error(`${id} has no conversation snapshot`);
    return s;
  }

  /** udp:bind, then the endpoint's snapshot. */
  async bind(payload: CommandRequest<'udp:bind'>): Promise<UdpSnapshot> {
    const { endpointId } = await this.call('udp:bind', payload);
    return this.udp(endpointId);
  }

  /** Every chunk a conversation (or a UDP endpoint's datagram log) still keeps, in one direction or both. */
  traffic(conversationId: string, dir?: 'in' | 'out'): StoredChunk[] {
    const all = this.engine.requireConversation(conversationId).traffic.page(undefined, 100_000);
    return dir ? all.filter((c) => c.dir === dir) : all;
  }

  /** The endpoint's timeline as `call → result` lines. */
  calls(endpointId: string): string[] {
    return this.endpoint(endpointId).timeline.map((t) => `${t.call} → ${t.result}`);
  }

  /** Saves the session and closes every socket, as quitting does (`dispose` does it too, after the cleanups). */
  stop(): Promise<void> {
    return this.engine.shutdown();
  }

  /** Runs `fn` when the host is disposed (a peer to close, a folder to remove). */
  onCleanup(fn: () => unknown): void {
    this.cleanups.push(fn);
  }

  /** Runs the cleanups (newest first), then shuts the engine down as quitting does. */
  async dispose(): Promise<void> {
    for (const fn of this.cleanups.splice(0).reverse()) await fn();
    await this.engine.shutdown();
  }
}

/** One host per test that wants one, each disposed (and every tracked peer stopped) after each test. */
export function useTestHosts(): (options?: TestHostOptions) => TestHost {
  let hosts: TestHost[] = [];
  afterEach(async () => {
    await cleanupPeers();
    await Promise.all(hosts.map((h) => h.dispose()));
    hosts = [];
  });
  return (options) => {
    const h = new TestHost(options);
    hosts.push(h);
    return h;
  };
}
