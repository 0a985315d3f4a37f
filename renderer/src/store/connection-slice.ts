import type { AppInfo } from '../../../shared/contract';
import type { RecentHostLists } from '../../../shared/session-state';
import type { TransportStatus } from '../bridge/transport';
import type { Slice } from './slice';

export interface ConnectionSlice {
  engineStatus: TransportStatus;
  engineMessage: string | null;
  appInfo: AppInfo | null;
  /** Per protocol: a form offers only its own protocol's hosts. */
  recentHosts: RecentHostLists;
  /** The last failed command, shown in the status bar until the next one. */
  lastError: string | null;
  setEngineStatus(status: TransportStatus, message?: string): void;
  reportError(message: string | null): void;
}

export const createConnectionSlice: Slice<ConnectionSlice> = (set) => ({
  engineStatus: 'connecting',
  engineMessage: null,
  appInfo: null,
  recentHosts: { tcp: [], udp: [], unix: [] },
  lastError: null,
  setEngineStatus: (engineStatus, message) => set({ engineStatus, engineMessage: message ?? null }),
  reportError: (lastError) => set({ lastError }),
});

/**
 * What the store shows is the engine's current state (the bridge sets 'connected' only after a
 * fresh snapshot). Otherwise no endpoint's state is known: it may have changed, or be gone.
 */
export const selectEngineLive = (s: ConnectionSlice) => s.engineStatus === 'connected';
