import { appInfo } from './app-info';
import { invalidState } from './command-error';
import { lookupServiceByName } from './system-sockets/services';
import { toWireChunk } from './batcher';
import { decodePayload } from './payload';
import type { CommandHandlers } from './dispatcher';
import type { Engine } from './engine';
import { systemSocketsHandlers } from './system-sockets/system-sockets-handlers';
import { recordingHandlers } from './recording/recording-handlers';
import { generatorHandlers } from './generator/generator-handlers';
import { scriptHandlers } from './scripts/script-handlers';
import { sessionHandlers } from './session/session-handlers';
import { tcpHandlers } from './tcp/tcp-handlers';
import { udpHandlers } from './udp/udp-handlers';

const PAGE_MAX_BYTES = 4 * 1024 * 1024;

function commonHandlers(engine: Engine) {
  return {
    'app:info': () => appInfo(engine.options.mode, engine.options.version),
    'app:snapshot': (_request, client) => engine.snapshot(client?.watching() ?? null),
    'endpoint:close': async ({ endpointId }) => {
      await engine.closeEndpoint(endpointId);
      return { ok: true as const };
    },
    'endpoint:remove': async ({ endpointId }) => {
      await engine.removeEndpoint(endpointId);
      return { ok: true as const };
    },
    'conversation:send': ({ conversationId, data }) => {
      const c = engine.requireStream(conversationId);
      return { bytes: c.send(decodePayload(data)) };
    },
    'conversation:shutdown': ({ conversationId }) => {
      engine.requireStream(conversationId).shutdown();
      return { ok: true as const };
    },
    'conversation:reset': ({ conversationId }) => {
      engine.requireStream(conversationId).reset();
      return { ok: true as const };
    },
    'tls:key-log': ({ conversationId }) => {
      const text = engine.requireConversation(conversationId).keyLogText?.() ?? null;
      if (text === null) throw invalidState(`${conversationId} does not speak TLS: it has no key log`);
      return { text, lines: text === '' ? 0 : text.split('\n').length - 1 };
    },
    'services:lookup': ({ name, proto }) => ({
      port: typeof name === 'number' ? name : lookupServiceByName(name, proto),
    }),
    'ui:watch': ({ conversationIds }, client) => {
      if (!client) throw invalidState('ui:watch is for a UI session: say hello first, so there are batches to narrow');
      client.watch(conversationIds);
      return { ok: true as const };
    },
    'traffic:page': ({ conversationId, beforeSeq, limit, full }) => {
      const log = engine.requireConversation(conversationId).traffic;
      const chunks = log.page(beforeSeq, limit, PAGE_MAX_BYTES);
      const preview = full ? PAGE_MAX_BYTES : 16 * 1024;
      return {
        chunks: chunks.map((c) => toWireChunk(c, preview)),
        firstKeptSeq: log.firstKeptSeq,
        notKept: { ...log.notKept },
      };
    },
  } satisfies Partial<CommandHandlers>;
}

export function createHandlers(engine: Engine): CommandHandlers {
  const handlers: CommandHandlers = {
    ...commonHandlers(engine),
    ...tcpHandlers(engine),
    ...udpHandlers(engine),
    ...recordingHandlers(engine),
    ...systemSocketsHandlers(engine),
    ...sessionHandlers(engine, () => handlers),
    ...scriptHandlers(engine, () => handlers),
    ...generatorHandlers(engine, () => handlers),
  };
  return handlers;
}
