import { invalidState } from '../command-error';
import type { CommandHandlers } from '../dispatcher';
import type { Engine } from '../engine';

type UdpCommands =
  | 'udp:bind'
  | 'udp:send'
  | 'udp:repeat'
  | 'udp:stop-repeat'
  | 'udp:connect'
  | 'udp:disconnect'
  | 'udp:configure'
  | 'udp:membership';

// Placeholder until the UDP engine lands: every command answers INVALID_STATE.
export function udpHandlers(_engine: Engine): Pick<CommandHandlers, UdpCommands> {
  const todo = () => {
    throw invalidState('UDP is not implemented yet');
  };
  return {
    'udp:bind': todo,
    'udp:send': todo,
    'udp:repeat': todo,
    'udp:stop-repeat': todo,
    'udp:connect': todo,
    'udp:disconnect': todo,
    'udp:configure': todo,
    'udp:membership': todo,
  };
}
