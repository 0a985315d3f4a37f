import { CommandError, invalidState } from '../command-error';
import type { CommandHandlers } from '../dispatcher';
import type { Engine } from '../engine';
import { compileBehaviour } from './behaviours';
import { TcpConnection } from './connection';
import { TcpListener } from './listener';
import { removeStaleUnixSocket } from './unix-socket';
import { decodePayload } from '../handlers';

type TcpCommands =
  | 'tcp:listen'
  | 'tcp:connect'
  | 'tcp:reconnect'
  | 'listener:configure'
  | 'listener:broadcast'
  | 'listener:close-clients'
  | 'listener:stop-accepting'
  | 'unix:remove-stale';

const validation = (path: string, message: string) => new CommandError('VALIDATION', `${path}: ${message}`, [{ path, message }]);

/** TCP listeners, connections and Unix stream sockets. Socket failures live in endpoint state, not here. */
export function tcpHandlers(engine: Engine): Pick<CommandHandlers, TcpCommands> {
  const listener = (id: string) => engine.requireEndpoint(id, 'tcp-listener') as TcpListener;

  return {
    'tcp:listen': async (req) => {
      if (req.path !== undefined && (req.bindAddress !== undefined || req.port !== undefined)) {
        throw validation('path', 'give either a path or an address and port, not both');
      }
      if (req.path !== undefined && req.ipv6Only) throw validation('ipv6Only', 'only applies to an IPv6 address');
      // Checked before the endpoint exists: a bad behaviour is an input error, not a socket failure.
      compileBehaviour(req.behaviour);
      const l = new TcpListener(engine, engine.nextId('l'), req);
      engine.addEndpoint(l);
      await l.open();
      return { endpointId: l.id };
    },

    'tcp:connect': (req) => {
      if (req.path !== undefined) {
        if (req.host !== undefined || req.port !== undefined || req.localAddress !== undefined || req.localPort !== undefined) {
          throw validation('path', 'give either a path or a host and port, not both');
        }
      } else {
        if (req.host === undefined) throw validation('host', 'a host is required');
        if (req.port === undefined) throw validation('port', 'a port is required');
      }
      const c = new TcpConnection(engine, engine.nextId('c'), req);
      engine.addEndpoint(c);
      c.start();
      return { endpointId: c.id };
    },

    'tcp:reconnect': async ({ endpointId }) => {
      const c = engine.requireEndpoint(endpointId, 'tcp-connection') as TcpConnection;
      await c.reconnect();
      return { endpointId: c.id };
    },

    'listener:configure': ({ endpointId, behaviour, maxClients }) => {
      const l = listener(endpointId);
      l.configure({
        ...(behaviour !== undefined ? { behaviour: compileBehaviour(behaviour) } : {}),
        ...(maxClients !== undefined ? { maxClients } : {}),
      });
      return { ok: true as const };
    },

    'listener:broadcast': ({ endpointId, data }) => {
      const l = listener(endpointId);
      return { clients: l.broadcast(decodePayload(data)) };
    },

    'listener:close-clients': ({ endpointId }) => ({ clients: listener(endpointId).closeClients() }),

    'listener:stop-accepting': ({ endpointId }) => {
      const l = listener(endpointId);
      if (l.currentState !== 'listening') throw invalidState(`listener ${endpointId} is not accepting (state ${l.currentState})`);
      l.stopAccepting();
      return { ok: true as const };
    },

    'unix:remove-stale': async ({ path }) => {
      await removeStaleUnixSocket(path);
      return { ok: true as const };
    },
  };
}
