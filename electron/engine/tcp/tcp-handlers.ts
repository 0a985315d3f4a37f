import { invalidState } from '../command-error';
import type { CommandHandlers } from '../dispatcher';
import type { Engine } from '../engine';

type TcpCommands =
  | 'tcp:listen'
  | 'tcp:connect'
  | 'tcp:reconnect'
  | 'listener:configure'
  | 'listener:broadcast'
  | 'listener:close-clients'
  | 'listener:stop-accepting'
  | 'unix:remove-stale';

// Placeholder until the TCP engine lands: every command answers INVALID_STATE.
export function tcpHandlers(_engine: Engine): Pick<CommandHandlers, TcpCommands> {
  const todo = () => {
    throw invalidState('TCP is not implemented yet');
  };
  return {
    'tcp:listen': todo,
    'tcp:connect': todo,
    'tcp:reconnect': todo,
    'listener:configure': todo,
    'listener:broadcast': todo,
    'listener:close-clients': todo,
    'listener:stop-accepting': todo,
    'unix:remove-stale': todo,
  };
}
