import { invalidState } from '../command-error';
import type { CommandHandlers } from '../dispatcher';
import type { TcpContext } from '../contexts';
import { compileBehaviour } from './behaviours';
import { TcpConnection } from './connection';
import { TcpListener } from './listener';
import { planExec } from '../exec/exec-plan';
import { removeStaleUnixSocket } from './unix-socket';
import { decodePayload } from '../payload';

type TcpCommands =
  | 'tcp:listen'
  | 'tcp:connect'
  | 'tcp:reconnect'
  | 'tcp:start-tls'
  | 'listener:configure'
  | 'listener:broadcast'
  | 'listener:close-clients'
  | 'listener:stop-accepting'
  | 'unix:remove-stale';

/** TCP listeners, connections and Unix stream sockets. Socket failures live in endpoint state, not here. */
export function tcpHandlers(engine: TcpContext): Pick<CommandHandlers, TcpCommands> {
  const listener = (id: string) => engine.requireEndpoint(id, 'tcp-listener') as TcpListener;

  return {
    'tcp:listen': async (req) => {
      // Checked before the endpoint exists: a bad behaviour is an input error, not a socket failure.
      compileBehaviour(req.behaviour);
      // (A bad rule set is refused the same way: the TcpListener constructor compiles it and throws.)
      const exec = await planExec(req);
      const l = new TcpListener(engine, engine.nextId('l'), req, exec);
      engine.addEndpoint(l);
      await l.open();
      return { endpointId: l.id };
    },

    'tcp:connect': (req) => {
      // A path or a host and port, never both: the request's schema is a union (shared/contract.ts).
      const c = new TcpConnection(engine, engine.nextId('c'), req);
      engine.addEndpoint(c);
      c.start();
      return { endpointId: c.id };
    },

    'tcp:start-tls': async ({ endpointId, tls }) => {
      const c = engine.requireEndpoint(endpointId, 'tcp-connection') as TcpConnection;
      await c.startTls(tls);
      return { ok: true as const };
    },

    'tcp:reconnect': async ({ endpointId, tlsVerify }) => {
      const c = engine.requireEndpoint(endpointId, 'tcp-connection') as TcpConnection;
      await c.reconnect(tlsVerify === false ? { tlsVerify } : {});
      return { endpointId: c.id };
    },

    'listener:configure': ({ endpointId, behaviour, rules, maxClients }) => {
      const l = listener(endpointId);
      l.configure({
        ...(behaviour !== undefined ? { behaviour: compileBehaviour(behaviour) } : {}),
        ...(rules !== undefined ? { rules } : {}),
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
