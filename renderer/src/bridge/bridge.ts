/**
 * The renderer's one door to the engine: typed commands, and one subscription that feeds event
 * batches to the store. It does not care which transport it has.
 */
import type { CommandName, CommandRequest, CommandResponse } from '../../../shared/contract';
import { createSessionClient, type SessionClient } from '../../../shared/session-client';
import { plugEngine } from '../store/engine-port';
import { useStore } from '../store/store';
import { isEventBatchShape } from './batch-shape';
import { BridgeFailure } from './bridge-failure';
import { createElectronTransport, electronApi } from './electron-transport';
import type { Transport } from './transport';
import { createWebSocketTransport, takeToken } from './websocket-transport';

/** The session over the transport's current port; null while there is none. */
let session: SessionClient | null = null;

async function call<N extends CommandName>(command: N, request: CommandRequest<N>): Promise<CommandResponse<N>> {
  if (!session) throw new BridgeFailure({ code: 'DISCONNECTED', message: 'not connected to the engine' });
  // The session client parses the envelope; the value is the handler's, typed by the contract.
  const result = await session.invoke(command, request);
  if (!result.ok) throw new BridgeFailure(result.error);
  return result.value as CommandResponse<N>;
}

function pickTransport(): Transport | null {
  const api = electronApi();
  if (api) return createElectronTransport(api);
  const token = takeToken();
  return token ? createWebSocketTransport(token) : null;
}

const LOST = 'The connection to the engine closed; reconnecting.';

/**
 * Connects; on every (re)connection says hello, shows the snapshot the engine answers with, and
 * applies every later batch with one store update.
 */
export function startBridge(): void {
  // Store actions reach the engine through this; a call before a session is open fails as DISCONNECTED.
  plugEngine(call);
  const store = useStore.getState();
  const transport = pickTransport();
  if (!transport) {
    store.setEngineStatus('disconnected', 'No access token: open the full URL printed by "npm run web".');
    return;
  }
  transport.start({
    open(port) {
      const mine = createSessionClient(port, { log: (line) => console.error(line), snapshot: 'shape', timelineAppends: true });
      session = mine;
      void mine.closed.then(() => {
        if (session === mine) session = null;
      });
      // The engine sends batches only after its snapshot, so each one is newer than what is shown.
      mine.onBatch((raw) => {
        // A structural check, not the full zod schema: see batch-shape.ts for why that is enough here.
        if (isEventBatchShape(raw)) useStore.getState().applyBatch(raw);
        else console.error('sockscope: malformed event batch dropped');
      });
      // 'connected' in the store means "what is shown is the engine's current state": it is set only
      // once a snapshot has replaced whatever was shown before the connection (re)opened.
      mine
        .attach()
        .then(({ info, snapshot }) => {
          if (session !== mine) return;
          useStore.getState().applySnapshot(info, snapshot);
          useStore.getState().setEngineStatus('connected');
          document.documentElement.dataset.appState = 'ready';
        })
        .catch((err: unknown) => useStore.getState().setEngineStatus('disconnected', err instanceof Error ? err.message : String(err)));
    },
    status(status) {
      const current = useStore.getState().engineStatus;
      if (status === 'disconnected') useStore.getState().setEngineStatus('disconnected', LOST);
      // A retry after a loss is still "disconnected" to the person; only the first attempt is "connecting".
      else if (status === 'connecting' && current === 'connecting') useStore.getState().setEngineStatus('connecting');
    },
  });
}
