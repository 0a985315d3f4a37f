import type { AppInfo } from '../../../shared/contract';
import type { TransportStatus } from '../bridge/transport';
import type { Slice } from './slice';

export interface ConnectionSlice {
  engineStatus: TransportStatus;
  engineMessage: string | null;
  appInfo: AppInfo | null;
  recentHosts: string[];
  /** The last failed command, shown in the status bar until the next one. */
  lastError: string | null;
  setEngineStatus(status: TransportStatus, message?: string): void;
  reportError(message: string | null): void;
}

export const createConnectionSlice: Slice<ConnectionSlice> = (set) => ({
  engineStatus: 'connecting',
  engineMessage: null,
  appInfo: null,
  recentHosts: [],
  lastError: null,
  setEngineStatus: (engineStatus, message) => set({ engineStatus, engineMessage: message ?? null }),
  reportError: (lastError) => set({ lastError }),
});

export const selectEngineStatus = (s: ConnectionSlice) => s.engineStatus;
export const selectAppInfo = (s: ConnectionSlice) => s.appInfo;
