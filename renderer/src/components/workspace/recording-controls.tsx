import { useState } from 'react';
import type { RecordingInfo } from '../../../../shared/recording';
import { tryCall } from '../../bridge/bridge';
import { formatBytes } from '../../lib/format';

/**
 * Record / Stop for a TCP conversation or a UDP endpoint: everything sent and received goes to a
 * JSON Lines file in the data folder (docs/recording.md); a TCP recording exports as `.pcapng`.
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
  const active = recording?.state === 'recording';
  const run = async (p: Promise<unknown>) => {
    setBusy(true);
    await p;
    setBusy(false);
  };
  return (
    <div className="recording" aria-label="Recording">
      <button
        type="button"
        className={active ? 'recording-on' : undefined}
        disabled={busy || (!active && !canRecord)}
        onClick={() => void run(active ? tryCall('recording:stop', { conversationId }) : tryCall('recording:start', { conversationId }))}
      >
        {active ? 'Stop recording' : 'Record'}
      </button>
      {recording && (
        <span className="muted recording-status">
          {active ? '● Recording to ' : recording.state === 'failed' ? 'Recording failed: ' : 'Recorded to '}
          <code className="path">{recording.path}</code> · {recording.records} {pcapng ? 'chunks' : 'datagrams'}, {formatBytes(recording.payloadBytes)}
        </span>
      )}
      {pcapng && recording && recording.records > 0 && (
        <button type="button" disabled={busy} onClick={() => void run(tryCall('recording:export-pcapng', { conversationId }))}>
          Export .pcapng
        </button>
      )}
      {recording?.exportedPath && (
        <span className="muted">
          pcapng: <code className="path">{recording.exportedPath}</code>
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
