import type { CommandName } from '../../shared/contract';
import type { Dispatch } from '../dispatcher';
import type { SessionStore } from './session-store';

/**
 * Commands after which the session file may say something else (an endpoint made, changed or
 * removed). Saved messages, UI state and recent hosts tell the store themselves.
 */
export const CHANGES_ENDPOINTS: ReadonlySet<string> = new Set<CommandName>([
  'tcp:listen',
  'tcp:connect',
  'listener:configure',
  'udp:bind',
  'udp:configure',
  'udp:membership',
  'udp:connect',
  'udp:disconnect',
  'endpoint:remove',
  'endpoint:retry',
]);

/**
 * The host's dispatcher: waits until the saved session is open again (so a UI's first snapshot
 * shows it, and a new endpoint cannot take an id or a port the restore was about to use), then
 * marks the session changed after commands that change endpoints. Failed ones too: a listener
 * whose bind failed still exists, with its settings.
 */
export function sessionDispatch(dispatch: Dispatch, session: SessionStore, ready: Promise<void>): Dispatch {
  return async (command, payload, client) => {
    await ready;
    const result = await dispatch(command, payload, client);
    if (typeof command === 'string' && CHANGES_ENDPOINTS.has(command)) session.changed();
    return result;
  };
}
