/**
 * What a command can ask of the UI session that sent it (as opposed to the engine as a whole).
 * A leaf module: the dispatcher, the handlers and the batcher all name it, none of them each other.
 */
export interface UiClient {
  /** The conversations this session shows a Traffic log of (see `ui:watch` in shared/contract.ts). */
  watch(conversationIds: readonly string[]): void;
}

/** A subscribed UI session: call it to detach; `watch` narrows the traffic previews it is sent. */
export type AttachedClient = (() => void) & UiClient;
