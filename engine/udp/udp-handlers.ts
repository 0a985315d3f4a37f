import { invalidState } from '../command-error';
import type { CommandHandlers } from '../dispatcher';
import type { UdpContext } from '../contexts';
import { decodePayload } from '../payload';
import { UdpEndpoint } from './udp-endpoint';

type UdpCommands =
  | 'udp:bind'
  | 'udp:send'
  | 'udp:repeat'
  | 'udp:stop-repeat'
  | 'udp:connect'
  | 'udp:disconnect'
  | 'udp:configure'
  | 'udp:membership';

const ok = { ok: true as const };

/**
 * The UDP commands. Requests arrive parsed by the shared schemas (limits included); socket
 * failures land in the endpoint's `error` (the workspace alert) and also answer the command.
 */
export function udpHandlers(engine: UdpContext): Pick<CommandHandlers, UdpCommands> {
  const udp = (endpointId: string): UdpEndpoint => {
    const e = engine.requireEndpoint(endpointId, 'udp');
    if (!(e instanceof UdpEndpoint)) throw invalidState(`endpoint ${endpointId} is not a UDP endpoint`);
    return e;
  };

  return {
    // A failed bind still creates the endpoint (closed, with its error) so its workspace can
    // show the alert; the command answers with its id either way.
    'udp:bind': async (req) => {
      const endpoint = new UdpEndpoint(engine, engine.nextId('u'), req);
      engine.addEndpoint(endpoint);
      engine.addConversation(endpoint.conversation);
      await endpoint.bind();
      return { endpointId: endpoint.id };
    },
    'udp:send': ({ endpointId, host, port, data }) => udp(endpointId).send(host, port, decodePayload(data)),
    'udp:repeat': async ({ endpointId, host, port, data, count, intervalMs }) => {
      await udp(endpointId).repeat(host, port, decodePayload(data), count, intervalMs);
      return ok;
    },
    'udp:stop-repeat': ({ endpointId }) => {
      udp(endpointId).stopRepeat();
      return ok;
    },
    'udp:connect': async ({ endpointId, host, port }) => {
      await udp(endpointId).connect(host, port);
      return ok;
    },
    'udp:disconnect': ({ endpointId }) => {
      udp(endpointId).disconnect();
      return ok;
    },
    'udp:configure': ({ endpointId, ...options }) => {
      udp(endpointId).configure(options);
      return ok;
    },
    'udp:membership': ({ endpointId, action, group, iface }) => {
      udp(endpointId).membership(action, group, iface);
      return ok;
    },
  };
}
