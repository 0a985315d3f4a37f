import type { CommandHandlers } from '../dispatcher';
import type { Engine } from '../engine';

export function recordingHandlers(engine: Engine) {
  return {
    'recording:start': ({ conversationId }) => engine.recordings.start(conversationId),
    'recording:stop': ({ conversationId }) => engine.recordings.stop(conversationId),
    'recording:export-pcapng': ({ conversationId }) => engine.recordings.exportPcapng(conversationId),
  } satisfies Partial<CommandHandlers>;
}
