/**
 * The UI session's wire protocol, written once for every transport: the browser-mode WebSocket
 * (as JSON text), Electron IPC (structured clone) and the in-process port of the CLI and tests.
 *
 *   client → engine   hello [timelineAppends]    subscribe: the engine answers `attached`, then batches
 *                     invoke {id, command, payload}
 *   engine → client   attached {info, snapshot}  the state at subscription; every later change is in a batch
 *                     result {id, result}        exactly one per invoke, always a CommandResult envelope
 *                     batch {batch}              coalesced engine events (only after `attached`)
 *                     error {message}            a message the engine could not read; nothing else happens
 *
 * A client that never says hello can still invoke (a control client, a script): it is sent no batches.
 * A second hello starts over with a fresh snapshot (an Electron page that reloaded keeps its IPC port).
 *
 * The `attached` snapshot carries no traffic: the batches after it bring each conversation's recent
 * traffic — a few per batch for a session that watches everything (it never sent `ui:watch`), and
 * only those it watches once it did. `timelineAppends`: the client applies `listener:changed`
 * (contract.ts), so a listener's timeline after its first `endpoint:changed` comes as appended calls.
 */
import { z } from 'zod';
import { AppInfo, CommandResult, EngineSnapshot, EventBatch } from './contract';

export const SESSION_PROTOCOL = 1;

/** Invoke ids are the client's own counter; results carry them back unchanged. */
const InvokeId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const HelloMessage = z.strictObject({
  type: z.literal('hello'),
  protocol: z.literal(SESSION_PROTOCOL),
  timelineAppends: z.literal(true).optional(),
});
/** `command` and `payload` are checked by the dispatcher, which always answers with an envelope. */
const InvokeMessage = z.strictObject({ type: z.literal('invoke'), id: InvokeId, command: z.unknown(), payload: z.unknown() });
export const ClientMessage = z.discriminatedUnion('type', [HelloMessage, InvokeMessage]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export const AttachedMessage = z.strictObject({
  type: z.literal('attached'),
  protocol: z.literal(SESSION_PROTOCOL),
  info: AppInfo,
  snapshot: EngineSnapshot,
});
const ResultMessage = z.strictObject({ type: z.literal('result'), id: InvokeId, result: CommandResult });
const BatchMessage = z.strictObject({ type: z.literal('batch'), batch: EventBatch });
const ErrorMessage = z.strictObject({ type: z.literal('error'), message: z.string() });

/** Every message the engine sends, in full (tests and development builds parse with this). */
export const ServerMessage = z.discriminatedUnion('type', [AttachedMessage, ResultMessage, BatchMessage, ErrorMessage]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type AttachedMessage = z.infer<typeof AttachedMessage>;

/**
 * What a client checks of each engine message before routing it: the envelope only. Batches are
 * checked structurally by whoever applies them (renderer/src/bridge/batch-shape.ts says why not in
 * full); results and the snapshot are parsed in full by the session client.
 */
export const ServerEnvelope = z.discriminatedUnion('type', [
  z.object({ type: z.literal('attached') }),
  z.object({ type: z.literal('result'), id: InvokeId, result: z.unknown() }),
  z.object({ type: z.literal('batch'), batch: z.unknown() }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);

/**
 * One end of a transport, as the session module and the session client see it. Messages are plain
 * data (JSON-safe); the transport decides how they travel. `onMessage` and `onClose` each take one
 * listener: a port has one owner.
 */
export interface SessionPort<In, Out> {
  send(message: Out): void;
  onMessage(listener: (message: In) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}
