import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { TcpState } from '../../../../shared/system-sockets';
import { copyText } from '../../lib/clipboard';
import { downloadBlob } from '../../lib/download';
import { formatTime } from '../../lib/format';
import { useStore } from '../../store/store';
import { REFRESH_CHOICES_MS } from '../../store/system-sockets-slice';
import { Checkbox, Select, TextField } from '../forms/fields';
import { filterRows, sortRows, toCsv, toExportRows, toJson, type ProtoFilter, type StateFilter } from './socket-rows';
import { SystemSocketsTable, type RowActions } from './system-sockets-table';
import { useSystemSocketsPolling } from './use-system-sockets-polling';

const PROTO_OPTIONS: ReadonlyArray<{ value: ProtoFilter; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'tcp', label: 'TCP' },
  { value: 'udp', label: 'UDP' },
  { value: 'unix', label: 'Unix' },
];

const STATE_OPTIONS: ReadonlyArray<{ value: StateFilter; label: string }> = [
  { value: 'all', label: 'All states' },
  ...TcpState.options.map((s) => ({ value: s, label: s })),
];

const INTERVAL_OPTIONS = REFRESH_CHOICES_MS.map((ms) => ({ value: String(ms), label: ms < 1000 ? `${ms} ms` : `${ms / 1000} s` }));

/** The machine's socket table, live: what `ss`/`netstat` see, with Sockscope's own sockets marked. */
export function SystemSocketsView() {
  const refreshNow = useSystemSocketsPolling();
  const rows = useStore((s) => s.sysRows);
  const info = useStore((s) => s.sysInfo);
  const failure = useStore((s) => s.sysFailure);
  const filters = useStore((s) => s.sysFilters);
  const sort = useStore((s) => s.sysSort);
  const names = useStore((s) => s.sysNames);
  const settings = useStore(
    useShallow((s) => ({
      intervalMs: s.sysIntervalMs,
      paused: s.sysPaused,
      includeUnix: s.sysIncludeUnix,
      reverseDns: s.sysReverseDns,
    })),
  );
  const set = useStore(
    useShallow((s) => ({
      filters: s.setSysFilters,
      sort: s.toggleSysSort,
      refresh: s.setSysRefresh,
      unix: s.setSysIncludeUnix,
      reverseDns: s.setSysReverseDns,
    })),
  );

  const visible = useMemo(() => sortRows(filterRows(rows, filters, names), sort), [rows, filters, names, sort]);
  const listeningPorts = useMemo(() => {
    const ports = new Set<number>();
    for (const d of rows) if (d.row.proto === 'tcp' && d.row.state === 'LISTEN' && d.row.localPort !== null) ports.add(d.row.localPort);
    return ports;
  }, [rows]);
  const live = rows.filter((d) => d.mark !== 'closed').length;
  const shown = visible.filter((d) => d.mark !== 'closed').length;

  const actions = useMemo<RowActions>(
    () => ({
      focus: (id) => useStore.getState().focusEndpoint(id),
      copy: (text) => void copyText(text),
      connect: (host, port) => useStore.getState().openForm('connection', { host, port: String(port) }),
      listen: (port) => useStore.getState().openForm('listener', { bindAddress: '127.0.0.1', port: String(port) }),
      close: (own, kind) => {
        const s = useStore.getState();
        if (kind === 'client' && own.conversationId) void s.shutdownConversation(own.conversationId);
        else void s.closeEndpoint(own.endpointId);
        refreshNow();
      },
    }),
    [refreshNow],
  );

  const exportAs = (format: 'csv' | 'json') => {
    const data = toExportRows(visible, names);
    const meta = { takenAt: info?.takenAt ?? null, source: info?.source ?? '' };
    const text = format === 'csv' ? toCsv(data) : toJson(data, meta);
    downloadBlob(`sockscope-sockets-${fileStamp(info?.takenAt ?? Date.now())}.${format}`, text, `${format === 'csv' ? 'text/csv' : 'application/json'};charset=utf-8`);
  };

  return (
    <div className="system-sockets">
      <div className="sys-toolbar">
        <TextField
          label="Filter"
          className="grow"
          value={filters.text}
          placeholder="address, port, state, process, pid…"
          onChange={(text) => set.filters({ text })}
        />
        <Select label="Protocol" value={filters.proto} options={PROTO_OPTIONS} onChange={(proto) => set.filters({ proto })} />
        <Select label="State" value={filters.state} options={STATE_OPTIONS} onChange={(state) => set.filters({ state })} />
        <div className="sys-checks">
          <Checkbox label="Listening only" checked={filters.listeningOnly} onChange={(listeningOnly) => set.filters({ listeningOnly })} />
          <Checkbox label="Hide loopback" checked={filters.hideLoopback} onChange={(hideLoopback) => set.filters({ hideLoopback })} />
          <Checkbox label="Only Sockscope's" checked={filters.onlyOwn} onChange={(onlyOwn) => set.filters({ onlyOwn })} />
          <Checkbox label="Unix sockets" checked={settings.includeUnix} onChange={set.unix} title="Also list Unix domain sockets (Linux)" />
          <Checkbox
            label="Reverse DNS"
            checked={settings.reverseDns}
            onChange={set.reverseDns}
            title="Look up names for remote addresses (sends DNS queries; cached)"
          />
        </div>
      </div>
      <div className="sys-toolbar">
        <Select
          label="Refresh every"
          value={String(settings.intervalMs)}
          options={INTERVAL_OPTIONS}
          onChange={(v) => set.refresh({ intervalMs: Number(v) })}
        />
        <button type="button" aria-pressed={settings.paused} onClick={() => set.refresh({ paused: !settings.paused })}>
          {settings.paused ? 'Resume refresh' : 'Pause refresh'}
        </button>
        <button type="button" onClick={refreshNow}>
          Refresh now
        </button>
        <button type="button" onClick={() => exportAs('csv')} disabled={shown === 0}>
          Export CSV
        </button>
        <button type="button" onClick={() => exportAs('json')} disabled={shown === 0}>
          Export JSON
        </button>
        <p className="sys-summary muted" aria-live="off">
          {info === null
            ? failure
              ? ''
              : 'Reading the socket table…'
            : `${shown.toLocaleString()} of ${live.toLocaleString()} sockets · ${info.source} · ${Math.round(info.durationMs)} ms${
                info.takenAt !== null ? ` · ${formatTime(info.takenAt)}` : ''
              }${settings.paused ? ' · paused' : ''}`}
        </p>
      </div>
      {failure && (
        <div role="alert" className="alert">
          <strong className="code">Cannot reach the engine</strong> — {failure}
        </div>
      )}
      {info?.stale && info.error && (
        <div role="alert" className="alert stale-banner">
          <strong className="code">{info.error.code}</strong>
          <span>
            {' '}
            — the socket table could not be refreshed: {info.error.message}.{' '}
            {info.takenAt !== null ? `Showing the last good snapshot, from ${formatTime(info.takenAt)}.` : 'Nothing to show yet.'}
          </span>
        </div>
      )}
      {info?.limitedVisibility && (
        <p className="note" role="note">
          {info.limitedVisibility}
        </p>
      )}
      {info && info.skippedLines > 0 && (
        <p className="muted small">
          {info.skippedLines} line{info.skippedLines === 1 ? '' : 's'} of {info.source.split(' ')[0]} output could not be read and
          were skipped.
        </p>
      )}
      <SystemSocketsTable
        rows={visible}
        sort={sort}
        onSort={set.sort}
        names={names}
        actions={actions}
        listeningPorts={listeningPorts}
      />
    </div>
  );
}

function fileStamp(ts: number): string {
  const d = new Date(ts);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}
