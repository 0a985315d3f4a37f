import type { ReverseDnsResult, SystemSocketsView } from '../../../shared/system-sockets';
import {
  ageRows,
  DEFAULT_FILTERS,
  reconcileRows,
  type DisplayRow,
  type SocketColumn,
  type SocketFilters,
  type SocketSort,
} from '../components/system-sockets/socket-rows';
import { engineCall, failureText } from './engine-port';
import type { Slice } from './slice';

export type SystemSocketsInfo = Omit<SystemSocketsView, 'rows'>;

export const REFRESH_CHOICES_MS = [500, 1000, 2000, 5000, 10_000] as const;
/** Reverse-DNS answers kept in the renderer; beyond this the oldest go. */
const MAX_NAMES = 5000;

export interface SystemSocketsSlice {
  sysRows: DisplayRow[];
  sysInfo: SystemSocketsInfo | null;
  /** The command itself failed (engine unreachable): distinct from a stale table. */
  sysFailure: string | null;
  sysFilters: SocketFilters;
  sysSort: SocketSort;
  sysIntervalMs: number;
  sysPaused: boolean;
  sysIncludeUnix: boolean;
  sysReverseDns: boolean;
  /** Remote address → name (null: none); only while reverse DNS is on. */
  sysNames: Record<string, string | null>;
  applySystemSockets(view: SystemSocketsView, now: number): void;
  ageSystemSockets(now: number): void;
  setSystemSocketsFailure(message: string | null): void;
  setSysFilters(patch: Partial<SocketFilters>): void;
  /** Click on a header: that column ascending, or the other direction when it already is the sort. */
  toggleSysSort(column: SocketColumn): void;
  setSysRefresh(patch: { intervalMs?: number; paused?: boolean }): void;
  setSysIncludeUnix(on: boolean): void;
  setSysReverseDns(on: boolean): void;
  mergeSysNames(results: readonly ReverseDnsResult[]): void;
  /** Asks the engine for the table (it joins a refresh already running); the failure as the table shows it. */
  fetchSystemSockets(includeUnix: boolean): Promise<{ ok: true; view: SystemSocketsView } | { ok: false; message: string }>;
  /** Names for remote addresses; null when the engine could not be asked (names are a nicety). */
  fetchSysNames(addresses: string[]): Promise<ReverseDnsResult[] | null>;
}

export const createSystemSocketsSlice: Slice<SystemSocketsSlice> = (set) => ({
  sysRows: [],
  sysInfo: null,
  sysFailure: null,
  sysFilters: DEFAULT_FILTERS,
  sysSort: { column: 'local', dir: 'asc' },
  sysIntervalMs: 1000,
  sysPaused: false,
  sysIncludeUnix: false,
  sysReverseDns: false,
  sysNames: {},
  applySystemSockets: (view, now) =>
    set((s) => {
      const { rows, ...info } = view;
      // The same snapshot again (stale, or shared with another window): only let marks fade.
      if (s.sysInfo && s.sysInfo.takenAt === view.takenAt) {
        return { sysInfo: info, sysFailure: null, sysRows: ageRows(s.sysRows, now) ?? s.sysRows };
      }
      return { sysInfo: info, sysFailure: null, sysRows: reconcileRows(s.sysRows, rows, now, s.sysInfo?.takenAt == null) };
    }),
  ageSystemSockets: (now) =>
    set((s) => {
      const aged = ageRows(s.sysRows, now);
      return aged ? { sysRows: aged } : {};
    }),
  setSystemSocketsFailure: (sysFailure) => set({ sysFailure }),
  setSysFilters: (patch) => set((s) => ({ sysFilters: { ...s.sysFilters, ...patch } })),
  toggleSysSort: (column) =>
    set((s) => ({
      sysSort: s.sysSort.column === column ? { column, dir: s.sysSort.dir === 'asc' ? 'desc' : 'asc' } : { column, dir: 'asc' },
    })),
  setSysRefresh: ({ intervalMs, paused }) =>
    set((s) => ({ sysIntervalMs: intervalMs ?? s.sysIntervalMs, sysPaused: paused ?? s.sysPaused })),
  // Another kind of table: start afresh rather than mark every Unix socket "new".
  setSysIncludeUnix: (sysIncludeUnix) => set({ sysIncludeUnix, sysRows: [], sysInfo: null }),
  setSysReverseDns: (sysReverseDns) => set(sysReverseDns ? { sysReverseDns } : { sysReverseDns, sysNames: {} }),
  mergeSysNames: (results) =>
    set((s) => {
      let names: Record<string, string | null> | null = null;
      for (const r of results) {
        if (r.status !== 'resolved' && r.status !== 'none') continue;
        if (s.sysNames[r.address] === r.name) continue;
        names ??= { ...s.sysNames };
        names[r.address] = r.name;
      }
      if (!names) return {};
      const keys = Object.keys(names);
      for (const k of keys.slice(0, Math.max(0, keys.length - MAX_NAMES))) delete names[k];
      return { sysNames: names };
    }),
  fetchSystemSockets: (includeUnix) =>
    engineCall('system-sockets:snapshot', { includeUnix }).then(
      (view) => ({ ok: true, view }),
      (err: unknown) => ({ ok: false, message: failureText(err) }),
    ),
  fetchSysNames: (addresses) =>
    engineCall('system-sockets:reverse-dns', { addresses }).then(
      ({ results }) => results,
      () => null,
    ),
});

