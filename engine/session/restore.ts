/**
 * Opening a session's endpoints again, in the order they were made: listeners and UDP endpoints on
 * the same address and port (a port now taken shows its EADDRINUSE alert in that workspace, with
 * `Retry`), connections closed with `Reconnect` (connected at once only when the session says so).
 * Each goes through the same handler as the command that made it, so the same checks apply.
 */
import type { UdpSnapshot } from '../../shared/endpoints';
import type { ConnectRequest, ListenRequest } from '../../shared/contract';
import type { SessionConnection, SessionEndpoint, SessionListener, SessionUdp } from '../../shared/session';
import type { CommandHandlers } from '../dispatcher';
import type { Engine } from '../engine';
import { CommandError } from '../command-error';
import { logInternalError } from '../fault-barrier';
import { TcpConnection } from '../tcp/connection';
import type { RestorePlan } from './session-store';

export interface RestoreResult {
  /** Saved id → the restored endpoint's id (for entries that had an id). */
  idMap: Map<string, string>;
  /** The restored endpoints' saved entries, by their new ids. */
  entries: Map<string, SessionEndpoint>;
}

export async function restoreEndpoints(
  engine: Engine,
  handlers: CommandHandlers,
  endpoints: readonly SessionEndpoint[],
  reconnect: boolean,
): Promise<RestoreResult> {
  const idMap = new Map<string, string>();
  const entries = new Map<string, SessionEndpoint>();
  for (const entry of endpoints) {
    if (engine.isShuttingDown) break;
    try {
      const id = await restoreOne(engine, handlers, entry, reconnect);
      entries.set(id, entry);
      if (entry.id) idMap.set(entry.id, id);
    } catch (err) {
      // A refusal (the endpoint cap, a setting the handler checks): the others still come back.
      const what = `${entry.kind} ${entry.id ?? ''}`.trim();
      if (err instanceof CommandError) console.warn(`sockscope: ${what} from the session was not restored: ${err.message}`);
      else logInternalError(`restoring ${what} from the session`, err);
    }
  }
  return { idMap, entries };
}

/**
 * The file keeps a listener or connection as one flat object (shared/session.ts); the command takes
 * a path or an address (the request union). Fields that do not apply to a path are dropped.
 */
function listenRequestOf(entry: SessionListener): ListenRequest {
  const { kind: _kind, id: _id, path, bindAddress, port, ipv6Only, ...options } = entry;
  if (path !== undefined) return { path, ...options };
  return { ...(bindAddress !== undefined ? { bindAddress } : {}), ...(port !== undefined ? { port } : {}), ...(ipv6Only !== undefined ? { ipv6Only } : {}), ...options };
}

function connectRequestOf(entry: SessionConnection): ConnectRequest {
  const { kind: _kind, id: _id, path, host, port, ...options } = entry;
  if (path !== undefined) {
    const { timeoutMs, tls } = options;
    return { path, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(tls !== undefined ? { tls } : {}) };
  }
  // The schema's refinements guarantee host and port when there is no path.
  return { host: host ?? '', port: port ?? 0, ...options };
}

async function restoreOne(engine: Engine, handlers: CommandHandlers, entry: SessionEndpoint, reconnect: boolean): Promise<string> {
  switch (entry.kind) {
    case 'tcp-listener':
      return (await handlers['tcp:listen'](listenRequestOf(entry))).endpointId;
    case 'tcp-connection': {
      const request = connectRequestOf(entry);
      if (reconnect) return (await handlers['tcp:connect'](request)).endpointId;
      // Shown closed, never connected: closing one that never started only sets its state.
      const c = new TcpConnection(engine, engine.nextId('c'), request);
      engine.addEndpoint(c);
      await c.close();
      return c.id;
    }
    case 'udp': {
      const { kind: _kind, id: _id, broadcast: _b, ttl: _t, multicastTtl: _m, multicastLoopback: _l, memberships: _ms, connectedTo: _c, ...request } = entry;
      const { endpointId } = await handlers['udp:bind'](request);
      await applyUdpSettings(engine, handlers, endpointId, entry);
      return endpointId;
    }
  }
}

/**
 * The socket options, memberships and connect() a UDP endpoint had, once it is bound (after a
 * restore, or after `Retry`). Only options that differ from the fresh socket's are set, so the
 * timeline shows what the person chose. A failure lands in the endpoint's alert; the rest go on.
 */
export async function applyUdpSettings(engine: Engine, handlers: CommandHandlers, endpointId: string, entry: SessionUdp): Promise<void> {
  const now = engine.getEndpoint(endpointId)?.snapshot() as UdpSnapshot | undefined;
  if (now?.state !== 'bound') return;
  const changes: { broadcast?: boolean; ttl?: number; multicastTtl?: number; multicastLoopback?: boolean } = {};
  if (entry.broadcast !== undefined && entry.broadcast !== now.broadcast) changes.broadcast = entry.broadcast;
  if (entry.ttl !== undefined && entry.ttl !== now.ttl) changes.ttl = entry.ttl;
  if (entry.multicastTtl !== undefined && entry.multicastTtl !== now.multicastTtl) changes.multicastTtl = entry.multicastTtl;
  if (entry.multicastLoopback !== undefined && entry.multicastLoopback !== now.multicastLoopback) changes.multicastLoopback = entry.multicastLoopback;
  const steps: (() => unknown)[] = [];
  if (Object.keys(changes).length > 0) steps.push(() => handlers['udp:configure']({ endpointId, ...changes }));
  for (const m of entry.memberships ?? []) {
    steps.push(() => handlers['udp:membership']({ endpointId, action: 'join', group: m.group, ...(m.iface !== null ? { iface: m.iface } : {}) }));
  }
  const to = entry.connectedTo;
  if (to) steps.push(() => handlers['udp:connect']({ endpointId, host: to.host, port: to.port }));
  for (const step of steps) {
    try {
      await step();
    } catch {
      // Already the endpoint's alert (and a timeline entry): nothing more to say here.
    }
  }
}

/** Puts back what a session file holds beyond the store's own fields: recent hosts, then endpoints. */
export async function restorePlan(engine: Engine, handlers: CommandHandlers, plan: RestorePlan): Promise<number> {
  engine.recentHosts.replace(plan.recentHosts);
  const { idMap, entries } = await restoreEndpoints(engine, handlers, plan.endpoints, plan.reconnect);
  engine.session.adoptRestored(idMap, entries);
  return entries.size;
}
