/**
 * How store actions reach the engine without importing the bridge (which imports the store): the
 * bridge's `call` is plugged in once at start (bridge.ts, startBridge). Components never call the
 * engine themselves: they call store actions, which use this (eslint.config.js enforces it).
 */
import type { CommandName, CommandRequest, CommandResponse } from '../../../shared/contract';
import { BridgeFailure } from '../bridge/bridge-failure';

export type EngineCall = <N extends CommandName>(command: N, request: CommandRequest<N>) => Promise<CommandResponse<N>>;
/** A command whose failure the status bar shows: it answers null instead of throwing. */
export type ReportingCall = <N extends CommandName>(command: N, request: CommandRequest<N>) => Promise<CommandResponse<N> | null>;

let plugged: EngineCall | null = null;

export function plugEngine(call: EngineCall): void {
  plugged = call;
}

export const engineCall: EngineCall = (command, request) => {
  if (!plugged) return Promise.reject(new Error('the engine is not connected yet'));
  return plugged(command, request);
};

/** The status bar's text for a failed command: `CODE: message` for the engine's refusals. */
export function failureText(err: unknown): string {
  return err instanceof BridgeFailure ? `${err.error.code}: ${err.message}` : String(err);
}

/** A failure's message for a form or a panel to show next to what failed. */
export function failureMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What a form's or a panel's action answers it: the id of what it made, or why not (shown beside what failed). */
export type ActionResult = { ok: true; id: string } | { ok: false; message: string };

/**
 * `engineCall` for a form's or a panel's action: `keep` puts the answer in the store (it may call the
 * engine again) and names what was made; any failure is answered as its `failureMessage`.
 */
export async function answeringCall<N extends CommandName>(command: N, request: CommandRequest<N>, keep: (answer: CommandResponse<N>) => string | Promise<string>): Promise<ActionResult> {
  try {
    return { ok: true, id: await keep(await engineCall(command, request)) };
  } catch (err) {
    return { ok: false, message: failureMessage(err) };
  }
}

/** `engineCall` for one-click actions: a failure goes to `report` (the status bar) as `failureText`. */
export function reportingCall(report: (message: string) => void): ReportingCall {
  return async (command, request) => {
    try {
      return await engineCall(command, request);
    } catch (err) {
      report(failureText(err));
      return null;
    }
  };
}
