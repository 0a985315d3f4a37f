import type { CommandHandlers } from '../dispatcher';
import type { SystemSocketsService } from './system-sockets-service';

type SystemSocketsCommands = 'system-sockets:snapshot' | 'system-sockets:reverse-dns';

/** The machine's socket table. Requests are already parsed (and bounded) by the dispatcher. */
export function systemSocketsHandlers(engine: { readonly systemSockets: SystemSocketsService }): Pick<CommandHandlers, SystemSocketsCommands> {
  return {
    'system-sockets:snapshot': (req) => engine.systemSockets.view(req.includeUnix === undefined ? {} : { includeUnix: req.includeUnix }),
    'system-sockets:reverse-dns': ({ addresses }) => ({ results: engine.systemSockets.reverseDns(addresses) }),
  };
}
