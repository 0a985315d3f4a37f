/**
 * How store actions reach the engine without importing the bridge (which imports the store): the
 * bridge's `call` is plugged in once at start (components/session/start-session.ts).
 */
import type { CommandName, CommandRequest, CommandResponse } from '../../../shared/contract';

export type EngineCall = <N extends CommandName>(command: N, request: CommandRequest<N>) => Promise<CommandResponse<N>>;

let plugged: EngineCall | null = null;

export function plugEngine(call: EngineCall): void {
  plugged = call;
}

export const engineCall: EngineCall = (command, request) => {
  if (!plugged) return Promise.reject(new Error('the engine is not connected yet'));
  return plugged(command, request);
};
