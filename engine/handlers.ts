import { LIMITS } from '../shared/primitives';
import { appInfo } from './app-info';
import { lookupServiceByName } from './system-sockets/services';
import { toWireChunk } from './batcher';
import { CommandError } from './command-error';
import type { CommandHandlers } from './dispatcher';
import type { Engine } from './engine';
import { systemSocketsHandlers } from './system-sockets/system-sockets-handlers';
import { recordingHandlers } from './recording/recording-handlers';
import { sessionHandlers } from './session/session-handlers';
import { tcpHandlers } from './tcp/tcp-handlers';
import { udpHandlers } from './udp/udp-handlers';

/** Decodes a validated base64 payload, enforcing the byte limit after decoding too. */
export function decodePayload(data: string): Buffer {
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > LIMITS.messageBytes) {
    const message = `a message is at most ${LIMITS.messageBytes} bytes (this one decodes to ${bytes.length})`;
    throw new CommandError('VALIDATION', `data: ${message}`, [{ path: 'data', message }]);
  }
  return bytes;
}

const PAGE_MAX_BYTES = 4 * 1024 * 1024;

function commonHandlers(engine: Engine) {
  return {
    'app:info': () => appInfo(engine.options.mode, engine.options.version),
    'app:snapshot': () => engine.snapshot(),
    'endpoint:close': async ({ endpointId }) => {
      await engine.closeEndpoint(endpointId);
      return { ok: true as const };
    },
    'endpoint:remove': async ({ endpointId }) => {
      await engine.removeEndpoint(endpointId);
      return { ok: true as const };
    },
    'conversation:send': ({ conversationId, data }) => {
      const c = engine.requireConversation(conversationId);
      return { bytes: c.send(decodePayload(data)) };
    },
    'conversation:shutdown': ({ conversationId }) => {
      engine.requireConversation(conversationId).shutdown();
      return { ok: true as const };
    },
    'conversation:reset': ({ conversationId }) => {
      engine.requireConversation(conversationId).reset();
      return { ok: true as const };
    },
    'services:lookup': ({ name, proto }) => ({
      port: typeof name === 'number' ? name : lookupServiceByName(name, proto),
    }),
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
  };
  return handlers;
}
