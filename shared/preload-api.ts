/**
 * The one API the Electron preload exposes on `window.sockscope`. The preload implements it and
 * the renderer's Electron transport consumes it, so the shape is written down exactly once.
 */
import type { AppCommand } from './app-commands';

export interface SockscopePreloadApi {
  /** Runs one contract command; always resolves with a CommandResult envelope. */
  invoke(command: string, payload: unknown): Promise<unknown>;
  /** Receives event batches; returns the unsubscribe function. */
  onEvents(listener: (batch: unknown) => void): () => void;
  /** Receives the application menu's commands (only names of AppCommand); returns the unsubscribe function. */
  onMenuCommand(listener: (command: AppCommand) => void): () => void;
}

export const PRELOAD_GLOBAL = 'sockscope';
export const IPC_CHANNELS = { invoke: 'sockscope:invoke', events: 'sockscope:events', menuCommand: 'sockscope:menu-command' } as const;
