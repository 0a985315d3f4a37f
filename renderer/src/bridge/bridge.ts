/**
 * The renderer's one door to the engine: typed commands, and one subscription that feeds event
 * batches to the store. It does not care which transport it has.
 */
import {
  CommandResult,
  type CommandName,
  type CommandRequest,
  type CommandResponse,
} from '../../../shared/contract';
import type { BridgeError } from '../../../shared/errors';
import { useStore } from '../store/store';
import { isEventBatchShape } from './batch-shape';
import { createElectronTransport, electronApi } from './electron-transport';
import type { Transport } from './transport';
import { createWebSocketTransport, takeToken } from './websocket-transport';

export class BridgeFailure extends Error {
  constructor(readonly error: BridgeError) {
    super(error.message);
  }
}

let transport: Transport | null = null;

export async function call<N extends CommandName>(command: N, request: CommandRequest<N>): Promise<CommandResponse<N>> {
  if (!transport) throw new BridgeFailure({ code: 'DISCONNECTED', message: 'no engine' });
  const raw = await transport.invoke(command, request);
  const parsed = CommandResult.safeParse(raw);
  if (!parsed.success) throw new BridgeFailure({ code: 'INTERNAL', message: 'malformed answer from the engine' });
  if (!parsed.data.ok) throw new BridgeFailure(parsed.data.error);
  return parsed.data.value as CommandResponse<N>;
}

/** Like `call`, but reports failure to the status bar instead of throwing. */
export async function tryCall<N extends CommandName>(command: N, request: CommandRequest<N>): Promise<CommandResponse<N> | null> {
  try {
    return await call(command, request);
  } catch (err) {
    useStore.getState().reportError(err instanceof BridgeFailure ? `${err.error.code}: ${err.message}` : String(err));
    return null;
  }
}

function pickTransport(): Transport | null {
  const api = electronApi();
  if (api) return createElectronTransport(api);
  const token = takeToken();
  return token ? createWebSocketTransport(token) : null;
}

const LOST = 'The connection to the engine closed; reconnecting.';

/** Connects, loads a snapshot of the engine, and applies every later batch with one store update. */
export function startBridge(): void {
  const store = useStore.getState();
  transport = pickTransport();
  if (!transport) {
    store.setEngineStatus('disconnected', 'No access token: open the full URL printed by "npm run web".');
    return;
  }
  // Batches that arrive before the snapshot answer are older than it: the snapshot covers them.
  let synced = false;
  transport.onEvents((raw) => {
    if (!synced) return;
    // A structural check, not the full zod schema: see batch-shape.ts for why that is enough here.
    if (isEventBatchShape(raw)) useStore.getState().applyBatch(raw);
    else console.error('sockscope: malformed event batch dropped');
  });
  // 'connected' in the store means "what is shown is the engine's current state": it is set only
  // once a snapshot has replaced whatever was shown before the connection (re)opened.
  transport.onStatus((status) => {
    const current = useStore.getState().engineStatus;
    if (status === 'disconnected') {
      synced = false;
      useStore.getState().setEngineStatus('disconnected', LOST);
    } else if (status === 'connecting') {
      // A retry after a loss is still "disconnected" to the person; only the first attempt is "connecting".
      if (current === 'connecting') useStore.getState().setEngineStatus('connecting');
    } else {
      synced = false;
      void Promise.all([call('app:info', {}), call('app:snapshot', {})])
        .then(([info, snapshot]) => {
          useStore.getState().applySnapshot(info, snapshot);
          synced = true;
          useStore.getState().setEngineStatus('connected');
          document.documentElement.dataset.appState = 'ready';
        })
        .catch((err: unknown) => useStore.getState().setEngineStatus('disconnected', err instanceof Error ? err.message : String(err)));
    }
  });
}
