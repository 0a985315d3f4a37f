import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RecordingInfo } from '../../../../shared/recording';
import { downloadBlob } from '../../lib/download';
import { formatBytes } from '../../lib/format';
import { useStore } from '../../store/store';

/** The engine's file for this conversation, through the browser's download (never left only on the host). */
async function download(conversationId: string, file: 'recording' | 'pcapng'): Promise<void> {
  const { name, parts } = await useStore.getState().readRecordingFile(conversationId, file);
  downloadBlob(name, parts as BlobPart[], file === 'pcapng' ? 'application/vnd.tcpdump.pcap' : 'application/x-ndjson');
}

/**
 * Record / Stop for a TCP conversation or a UDP endpoint: everything sent and received goes to a
 * JSON Lines file in the data folder (docs/recording.md); a TCP recording exports as `.pcapng`.
 * Both files download through the browser; in browser mode an export downloads at once.
 */
export function RecordingControls({
  conversationId,
  recording,
  canRecord,
  pcapng,
}: {
  conversationId: string;
  recording: RecordingInfo | null;
  canRecord: boolean;
  pcapng: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const browserMode = useStore((s) => s.appInfo?.mode === 'browser');
  const { startRecording, stopRecording, exportPcapng: exportFile } = useStore(
    useShallow((s) => ({ startRecording: s.startRecording, stopRecording: s.stopRecording, exportPcapng: s.exportPcapng })),
  );
  const active = recording?.state === 'recording';
  const run = async (p: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await p();
    } catch (err) {
      useStore.getState().reportError(`Download failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  };
  const exportPcapng = async () => {
    const done = await exportFile(conversationId);
    if (done && browserMode) await download(conversationId, 'pcapng');
  };
  return (
    <div className="recording" aria-label="Recording">
      <button
        type="button"
        className={active ? 'recording-on' : undefined}
        disabled={busy || (!active && !canRecord)}
        onClick={() => void run(() => (active ? stopRecording(conversationId) : startRecording(conversationId)))}
      >
        {active ? 'Stop recording' : 'Record'}
      </button>
      {recording && (
        <span className="muted recording-status">
          {active ? '● Recording to ' : recording.state === 'failed' ? 'Recording failed: ' : 'Recorded to '}
          <code className="path">{recording.path}</code> · {recording.records} {pcapng ? 'chunks' : 'datagrams'}, {formatBytes(recording.payloadBytes)}
        </span>
      )}
      {recording && (
        <button type="button" disabled={busy} onClick={() => void run(() => download(conversationId, 'recording'))} title="Download the .jsonl file">
          Download recording
        </button>
      )}
      {pcapng && recording && recording.records > 0 && (
        <button type="button" disabled={busy} onClick={() => void run(exportPcapng)} title={browserMode ? 'Export and download' : 'Export next to the recording'}>
          Export .pcapng
        </button>
      )}
      {recording?.exportedPath && (
        <span className="muted">
          pcapng: <code className="path">{recording.exportedPath}</code>{' '}
          <button type="button" className="link" disabled={busy} onClick={() => void run(() => download(conversationId, 'pcapng'))}>
            Download .pcapng
          </button>
        </span>
      )}
      {recording?.state === 'failed' && recording.error && (
        <div role="alert" className="alert">
          <strong className="code">{recording.error.code}</strong>
          <span> — {recording.error.message}</span>
        </div>
      )}
    </div>
  );
}
