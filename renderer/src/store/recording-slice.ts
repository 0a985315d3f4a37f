/**
 * Recording a conversation or UDP endpoint to a JSON Lines file, its pcapng export, and reading
 * either file back from the engine (for a browser download). Start, stop and export report a
 * failure to the status bar; a read throws, so the download can say it failed.
 */
import { fetchRecordingFile } from './conversation-history';
import { reportingCall } from './engine-port';
import type { Slice } from './slice';

export interface RecordingSlice {
  startRecording(conversationId: string): Promise<void>;
  stopRecording(conversationId: string): Promise<void>;
  /** True once the engine wrote the `.pcapng`. */
  exportPcapng(conversationId: string): Promise<boolean>;
  readRecordingFile(conversationId: string, file: 'recording' | 'pcapng'): Promise<{ name: string; parts: Uint8Array[] }>;
}

export const createRecordingSlice: Slice<RecordingSlice> = (_set, get) => {
  const attempt = reportingCall((message) => get().reportError(message));
  return {
    startRecording: (conversationId) => attempt('recording:start', { conversationId }).then(() => undefined),
    stopRecording: (conversationId) => attempt('recording:stop', { conversationId }).then(() => undefined),
    exportPcapng: (conversationId) => attempt('recording:export-pcapng', { conversationId }).then((r) => r !== null),
    readRecordingFile: fetchRecordingFile,
  };
};
