/**
 * The engine's endpoints and conversations as last heard (events fill them: apply-batch.ts), and
 * what a person does to them: open, close, remove, retry; a listener's socket and clients; send,
 * half-close or abort a conversation. One-click actions report a failure to the status bar; the
 * creation forms get theirs back, to show in the form.
 */
import type { CommandRequest } from '../../../shared/contract';
import type { ConversationSnapshot, EndpointSnapshot } from '../../../shared/endpoints';
import { engineCall, failureMessage, reportingCall } from './engine-port';
import type { Slice } from './slice';

export type OpenResult = { ok: true; endpointId: string } | { ok: false; message: string };
type ListenerSettings = Omit<CommandRequest<'listener:configure'>, 'endpointId'>;

export interface EndpointsSlice {
  endpoints: Record<string, EndpointSnapshot>;
  /** Workspace order: creation order. */
  endpointOrder: string[];
  conversations: Record<string, ConversationSnapshot>;
  openListener(request: CommandRequest<'tcp:listen'>): Promise<OpenResult>;
  openConnection(request: CommandRequest<'tcp:connect'>): Promise<OpenResult>;
  bindUdp(request: CommandRequest<'udp:bind'>): Promise<OpenResult>;
  /**
   * True when the system's services database has no such name. False when it has, and when the
   * look-up failed: the engine decides for good when the endpoint opens, and a failed look-up must
   * not block that.
   */
  isUnknownService(name: string, proto: 'tcp' | 'udp'): Promise<boolean>;
  closeEndpoint(endpointId: string): Promise<void>;
  removeEndpoint(endpointId: string): Promise<void>;
  /** A listener or UDP endpoint that failed to open, opened again with the same settings. */
  retryEndpoint(endpointId: string): Promise<void>;
  reconnectConnection(endpointId: string): Promise<void>;
  /** True once the engine removed the stale socket file. */
  removeStaleSocket(path: string): Promise<boolean>;
  configureListener(endpointId: string, settings: ListenerSettings): Promise<void>;
  stopAccepting(endpointId: string): Promise<void>;
  closeAllClients(endpointId: string): Promise<void>;
  /** `data` is base64. */
  broadcast(endpointId: string, data: string): Promise<void>;
  /** `data` is base64. */
  sendToConversation(conversationId: string, data: string): Promise<void>;
  /** shutdown(SHUT_WR): our FIN, still receiving. */
  shutdownConversation(conversationId: string): Promise<void>;
  /** Abort with RST. */
  resetConversation(conversationId: string): Promise<void>;
}

const opened = (answer: Promise<{ endpointId: string }>): Promise<OpenResult> =>
  answer.then(
    ({ endpointId }) => ({ ok: true, endpointId }),
    (err: unknown) => ({ ok: false, message: failureMessage(err) }),
  );

export const createEndpointsSlice: Slice<EndpointsSlice> = (_set, get) => {
  const attempt = reportingCall((message) => get().reportError(message));
  const done = () => undefined;
  return {
    endpoints: {},
    endpointOrder: [],
    conversations: {},
    openListener: (request) => opened(engineCall('tcp:listen', request)),
    openConnection: (request) => opened(engineCall('tcp:connect', request)),
    bindUdp: (request) => opened(engineCall('udp:bind', request)),
    isUnknownService: (name, proto) =>
      engineCall('services:lookup', { name, proto }).then(
        ({ port }) => port === null,
        () => false,
      ),
    closeEndpoint: (endpointId) => attempt('endpoint:close', { endpointId }).then(done),
    removeEndpoint: (endpointId) => attempt('endpoint:remove', { endpointId }).then(done),
    retryEndpoint: (endpointId) => attempt('endpoint:retry', { endpointId }).then(done),
    reconnectConnection: (endpointId) => attempt('tcp:reconnect', { endpointId }).then(done),
    removeStaleSocket: (path) => attempt('unix:remove-stale', { path }).then((r) => r !== null),
    configureListener: (endpointId, settings) => attempt('listener:configure', { endpointId, ...settings }).then(done),
    stopAccepting: (endpointId) => attempt('listener:stop-accepting', { endpointId }).then(done),
    closeAllClients: (endpointId) => attempt('listener:close-clients', { endpointId }).then(done),
    broadcast: (endpointId, data) => attempt('listener:broadcast', { endpointId, data }).then(done),
    sendToConversation: (conversationId, data) => attempt('conversation:send', { conversationId, data }).then(done),
    shutdownConversation: (conversationId) => attempt('conversation:shutdown', { conversationId }).then(done),
    resetConversation: (conversationId) => attempt('conversation:reset', { conversationId }).then(done),
  };
};
