/**
 * `generator:start` / `generator:stop`: traffic generators over the engine's own endpoints. Each
 * reports `generator:changed` (counters at most 4 times a second, its end at once). A generator's
 * sends are ordinary sends: they appear in the traffic log, counters and rates like typed ones.
 */
import type { EngineEvent } from '../../shared/contract';
import type { ConversationSnapshot, EndpointSnapshot } from '../../shared/endpoints';
import { GENERATOR_LIMITS, type GeneratorSnapshot, type GeneratorStartRequest } from '../../shared/generator';
import { CommandError, invalidState, limitReached, notFound } from '../command-error';
import type { CommandHandlers } from '../dispatcher';
import type { Engine } from '../engine';
import { Generator, type GeneratorSinks } from './generator';
import { compilePayload } from './payload';

/** Finished generators kept for `generator:stop` to answer with (the newest). */
const KEEP_FINISHED = 64;
/** Waiting for the generator's own connections to be established. */
const CONNECT_WAIT_MS = 10_000;

export function generatorHandlers(engine: Engine, handlers: () => CommandHandlers): Pick<CommandHandlers, 'generator:start' | 'generator:stop'> {
  const generators = new Map<string, Generator>();

  const conversationSnapshot = (id: string): ConversationSnapshot | null => {
    try {
      return engine.requireConversation(id).snapshot();
    } catch {
      return null;
    }
  };
  const open = (s: ConversationSnapshot | null) => s !== null && (s.state === 'established' || s.state === 'peer-closed');

  const tcpSinks = (targets: () => string[]): Omit<GeneratorSinks, 'changed'> => ({
    tcpTargets: targets,
    queued: (id) => {
      const s = conversationSnapshot(id);
      return open(s) ? (s as ConversationSnapshot).stats.queuedOut : null;
    },
    sendTcp: (id, bytes) => {
      engine.requireStream(id).send(bytes);
    },
    now: () => engine.clock.now(),
  });

  const announce = (gen: () => Generator | undefined, id: string) => (counters: boolean) => {
    const build = (): EngineEvent | null => {
      const g = gen();
      return g ? { type: 'generator:changed', generator: g.snapshot() } : null;
    };
    engine.hub.changed(`generator:${id}`, build, counters ? 250 : undefined);
  };

  /** Opens the generator's own connections and waits (bounded) until each is established or failed. */
  async function openConnections(target: Extract<GeneratorStartRequest['target'], { connect: unknown }>): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < target.connections; i++) {
      const { endpointId } = await handlers()['tcp:connect'](target.connect);
      ids.push(endpointId);
    }
    const deadline = Date.now() + CONNECT_WAIT_MS;
    for (;;) {
      const snaps = ids.map((id) => engine.getEndpoint(id)?.snapshot());
      const pending = snaps.filter((s) => s?.kind === 'tcp-connection' && s.state !== 'closed' && s.conversationId === null);
      if (pending.length === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    return ids;
  }

  function prune(): void {
    const finished = [...generators.values()].filter((g) => !g.running);
    for (const g of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) generators.delete(g.id);
  }

  return {
    'generator:start': async (req) => {
      if (engine.isShuttingDown) throw invalidState('the engine is shutting down');
      if ([...generators.values()].filter((g) => g.running).length >= GENERATOR_LIMITS.running) {
        throw limitReached(`at most ${GENERATOR_LIMITS.running} generators run at once: stop one first`);
      }
      let payload;
      try {
        payload = compilePayload(req.payload, () => engine.clock.now());
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new CommandError('VALIDATION', `payload: ${message}`, [{ path: 'payload', message }]);
      }
      const id = engine.nextId('g');
      let gen: Generator | undefined;
      const changed = announce(() => gen, id);
      const t = req.target;
      if ('udpEndpointId' in t) {
        const e = engine.requireEndpoint(t.udpEndpointId, 'udp').snapshot() as Extract<EndpointSnapshot, { kind: 'udp' }>;
        if (e.state !== 'bound') throw invalidState(`UDP endpoint ${t.udpEndpointId} is not bound`);
        if ((t.host === undefined) !== (t.port === undefined)) {
          throw new CommandError('VALIDATION', 'target: give both a host and a port (or neither, on a connected endpoint)', [{ path: 'target', message: 'host and port together' }]);
        }
        if (t.host === undefined && !e.connectedTo) throw invalidState('the UDP endpoint is not connected: give a host and a port');
        const dest = t.host !== undefined && t.port !== undefined ? { host: t.host, port: t.port } : {};
        const udpSend = handlers()['udp:send'];
        gen = new Generator(id, req, payload, {
          tcpTargets: () => [],
          queued: () => null,
          sendTcp: () => undefined,
          sendUdp: async (bytes) => {
            await udpSend({ endpointId: t.udpEndpointId, ...dest, data: Buffer.from(bytes).toString('base64') });
          },
          changed,
          now: () => engine.clock.now(),
        });
      } else if ('conversationId' in t) {
        const s = engine.requireConversation(t.conversationId).snapshot();
        if (!s) throw invalidState(`${t.conversationId} is a UDP endpoint: give it as udpEndpointId`);
        if (!open(s)) throw invalidState(`conversation ${t.conversationId} is ${s.state}: nothing can be sent`);
        gen = new Generator(id, req, payload, { ...tcpSinks(() => (open(conversationSnapshot(t.conversationId)) ? [t.conversationId] : [])), changed });
      } else if ('listenerId' in t) {
        engine.requireEndpoint(t.listenerId, 'tcp-listener');
        // Thrown from the generator's slice, this ends it as failed with the reason.
        const clients = () => {
          const s = engine.getEndpoint(t.listenerId)?.snapshot();
          if (!s || s.kind !== 'tcp-listener' || s.state === 'closed') throw new Error('the listener closed');
          return s.clientIds.filter((c) => open(conversationSnapshot(c)));
        };
        gen = new Generator(id, req, payload, { ...tcpSinks(clients), changed });
      } else {
        const endpointIds = await openConnections(t);
        const streams = () =>
          endpointIds.flatMap((eid) => {
            const s = engine.getEndpoint(eid)?.snapshot();
            return s?.kind === 'tcp-connection' && s.conversationId && open(conversationSnapshot(s.conversationId)) ? [s.conversationId] : [];
          });
        if (streams().length === 0) {
          const first = engine.getEndpoint(endpointIds[0] as string)?.snapshot();
          const why = first?.error ? `${first.error.code}: ${first.error.message}` : 'no connection was established';
          throw invalidState(`could not connect: ${why}`);
        }
        gen = new Generator(id, req, payload, { ...tcpSinks(streams), changed }, endpointIds);
      }
      generators.set(id, gen);
      prune();
      gen.start();
      changed(false);
      return { generatorId: id };
    },

    'generator:stop': ({ generatorId }): GeneratorSnapshot => {
      const g = generators.get(generatorId);
      if (!g) throw notFound('generator', generatorId);
      g.stop();
      return g.snapshot();
    },
  };
}
