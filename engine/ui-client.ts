/**
 * What a command can ask of the UI session that sent it (as opposed to the engine as a whole).
 * A leaf module: the dispatcher, the handlers and the batcher all name it, none of them each other.
 */
export interface UiClient {
  /** The conversations this session shows a Traffic log of (see `ui:watch` in shared/contract.ts). */
  watch(conversationIds: readonly string[]): void;
  /** What it said it shows; null: it never said (it gets every conversation's traffic). */
  watching(): ReadonlySet<string> | null;
}

/** A subscribed UI session: call it to detach; `watch` narrows the traffic previews it is sent. */
export type AttachedClient = (() => void) &
  UiClient & {
    /** A hello: nothing is sent until `synced`, and then the recent traffic the snapshot left out. */
    restart(options: { timelineAppends: boolean }): void;
    /** The hello's snapshot went out. */
    synced(): void;
  };
