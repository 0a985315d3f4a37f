import type { ExecInfo, ExecSettings } from '../../../../shared/exec';

/** The listener's command and its processes now: shown where the rules would be (exec replaces them). */
export function ExecSummary({ exec, processes }: { exec: ExecSettings; processes: { running: number; waiting: number } | undefined }) {
  return (
    <section className="rules exec-summary" role="group" aria-label="Command">
      <div className="rules-bar">
        <span className="rules-title">Runs</span>
        <code>{exec.command}</code>
        <span className="muted">
          {exec.mode === 'one-at-a-time' ? 'one at a time' : 'concurrent'} · {processes?.running ?? 0} running · {processes?.waiting ?? 0} waiting
        </span>
      </div>
    </section>
  );
}

function stateText(e: ExecInfo): string {
  switch (e.state) {
    case 'waiting':
      return `Waiting for its turn (${e.position === 0 ? 'next' : `${e.position ?? '?'} ahead`})`;
    case 'running':
      return `Running, pid ${e.pid ?? '?'}`;
    case 'exited':
      return e.signal ? `Killed by ${e.signal}` : `Exited with status ${e.exitCode ?? '?'}`;
    case 'failed':
      return 'Could not start (see Socket calls)';
  }
}

/**
 * The selected client's process: its state, the two stdio hints, and its stderr — kept apart from
 * the traffic, as text only, the last 16 KiB.
 */
export function ExecStatus({ exec }: { exec: ExecInfo }) {
  return (
    <div className="exec-status" role="group" aria-label="Process">
      <span className={`state-badge ${exec.state === 'running' ? 'state-established' : exec.state === 'waiting' ? 'state-connecting' : 'state-closed'}`}>{stateText(exec)}</span>
      {exec.partialLine && exec.state === 'running' && (
        <span className="exec-hint" title="Its last output did not end with a newline: the client may be waiting for the rest">
          partial line pending
        </span>
      )}
      {exec.quietAfterInput && (
        <span className="exec-hint" title="Many programs buffer their output when it is not a terminal: try stdbuf -oL, python -u, grep --line-buffered">
          input sent, no output yet — output buffered?
        </span>
      )}
      {exec.stderrBytes > 0 && (
        <details className="exec-stderr">
          <summary>stderr ({exec.stderrBytes} bytes)</summary>
          <pre aria-label="stderr">{exec.stderr}</pre>
        </details>
      )}
    </div>
  );
}
