import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CommandHandlers } from '../dispatcher';
import { invalidState } from '../command-error';
import type { RecordingsContext } from '../contexts';
import type { Recordings } from './recordings';

/** What the recording commands use: the conversations, and the recordings made of them. */
type RecordingCommandsContext = Pick<RecordingsContext, 'requireConversation'> & { readonly recordings: Recordings };

/** Reading: a symbolic link at the path is refused (ELOOP) rather than followed. Windows has no O_NOFOLLOW. */
const READ_NO_FOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/** Bytes per `recording:read` page: well inside a command answer's size, few round trips for a big file. */
export const RECORDING_READ_PAGE = 4 * 1024 * 1024;

/**
 * A page of a file the engine itself wrote for this conversation: the path comes from the
 * recorder, never from the request, and a symbolic link put in its place is refused (ELOOP).
 */
async function readRecordingPage(engine: RecordingCommandsContext, conversationId: string, file: 'recording' | 'pcapng', offset: number) {
  engine.requireConversation(conversationId);
  const info = engine.recordings.info(conversationId);
  const path = file === 'recording' ? info?.path : info?.exportedPath;
  if (!path) throw invalidState(file === 'recording' ? 'this conversation has no recording' : 'export the recording as .pcapng first');
  let handle;
  try {
    handle = await open(path, READ_NO_FOLLOW);
  } catch (err) {
    throw invalidState(`${(err as NodeJS.ErrnoException).code ?? 'EIO'}: cannot read ${path}`);
  }
  try {
    const { size } = await handle.stat();
    const length = Math.max(0, Math.min(RECORDING_READ_PAGE, size - offset));
    const buf = Buffer.alloc(length);
    const { bytesRead } = length > 0 ? await handle.read(buf, 0, length, offset) : { bytesRead: 0 };
    return { name: basename(path), size, data: buf.subarray(0, bytesRead).toString('base64') };
  } finally {
    await handle.close();
  }
}

export function recordingHandlers(engine: RecordingCommandsContext) {
  return {
    'recording:start': ({ conversationId }) => engine.recordings.start(conversationId),
    'recording:stop': ({ conversationId }) => engine.recordings.stop(conversationId),
    'recording:export-pcapng': ({ conversationId }) => engine.recordings.exportPcapng(conversationId),
    'recording:read': ({ conversationId, file, offset }) => readRecordingPage(engine, conversationId, file, offset),
  } satisfies Partial<CommandHandlers>;
}
