/**
 * The one contract between the engine and any UI. Both transports (Electron IPC through the
 * preload, and the browser-mode WebSocket) carry exactly these commands and events.
 * Commands are `domain:verb`; events are past tense. Everything is a zod schema: types are inferred.
 */
import { z } from 'zod';
import { BridgeError } from './errors';
import {
  Behaviour,
  ConversationSnapshot,
  EndpointSnapshot,
  TrafficChunk,
} from './endpoints';
import { Base64, Family, Host, Id, LIMITS, Port, PortSpec, UnixPath } from './primitives';
import { RateSample, RatesSnapshot } from './rates';
import { SAVED_MESSAGE_LIMITS, SavedMessage, SavedMessageId, SavedMessages } from './saved-messages';
import { RecentHostLists, SESSION_FILE_BYTES, SessionStatus, SessionUi, SessionUiPatch } from './session-state';
import { ReverseDnsRequest, ReverseDnsResponse, SystemSocketsRequest, SystemSocketsView } from './system-sockets';

const Empty = z.strictObject({});
const EndpointRef = z.strictObject({ endpointId: Id });
const ConversationRef = z.strictObject({ conversationId: Id });
const Ok = z.strictObject({ ok: z.literal(true) });

export const NetworkInterface = z.strictObject({
  name: z.string(),
  address: z.string(),
  family: Family,
  internal: z.boolean(),
  cidr: z.string().nullable(),
  scopeid: z.number().nullable(),
});
export type NetworkInterface = z.infer<typeof NetworkInterface>;

export const AppInfo = z.strictObject({
  name: z.literal('Sockscope'),
  version: z.string(),
  mode: z.enum(['electron', 'browser']),
  platform: z.string(),
  arch: z.string(),
  hostname: z.string(),
  versions: z.strictObject({
    node: z.string(),
    electron: z.string().nullable(),
    chrome: z.string().nullable(),
  }),
  interfaces: z.array(NetworkInterface),
  isRoot: z.boolean(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const ListenRequest = z.strictObject({
  bindAddress: Host.optional(),
  port: PortSpec.optional(),
  /** A Unix domain socket path (Windows: a named pipe) instead of address and port. */
  path: UnixPath.optional(),
  backlog: z.number().int().min(LIMITS.backlog.min).max(LIMITS.backlog.max).optional(),
  ipv6Only: z.boolean().optional(),
  behaviour: Behaviour.optional(),
  maxClients: z.number().int().min(LIMITS.maxClients.min).max(LIMITS.maxClients.max).nullable().optional(),
});
export type ListenRequest = z.infer<typeof ListenRequest>;

export const ConnectRequest = z.strictObject({
  host: Host.optional(),
  port: PortSpec.optional(),
  path: UnixPath.optional(),
  timeoutMs: z.number().int().min(LIMITS.timeoutMs.min).max(LIMITS.timeoutMs.max).optional(),
  localAddress: Host.optional(),
  localPort: Port.optional(),
  noDelay: z.boolean().optional(),
  keepAlive: z.boolean().optional(),
  /**
   * RFC 8305 through Node's own `autoSelectFamily` when the name resolved to both families (and no
   * local address/port is set). Off (default): our loop tries each address in getaddrinfo order.
   */
  happyEyeballs: z.boolean().optional(),
});
export type ConnectRequest = z.infer<typeof ConnectRequest>;

export const UdpBindRequest = z.strictObject({
  bindAddress: Host,
  port: PortSpec,
  type: z.enum(['udp4', 'udp6']).optional(),
  reuseAddr: z.boolean().optional(),
  ipv6Only: z.boolean().optional(),
  behaviour: Behaviour.optional(),
});
export type UdpBindRequest = z.infer<typeof UdpBindRequest>;

export const UdpSendRequest = z.strictObject({
  endpointId: Id,
  /** Omitted on a connected socket. */
  host: Host.optional(),
  port: PortSpec.optional(),
  data: Base64,
});

export const UdpRepeatRequest = UdpSendRequest.extend({
  count: z.number().int().min(1).max(LIMITS.repeat.maxCount),
  intervalMs: z.number().int().min(LIMITS.repeat.minIntervalMs).max(LIMITS.repeat.maxIntervalMs),
});

export const TrafficPageRequest = z.strictObject({
  conversationId: Id,
  /** Chunks strictly before this sequence number; omitted = the newest. */
  beforeSeq: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(LIMITS.trafficPage),
  /** Whole chunks (not previews); still capped by the page's byte budget. */
  full: z.boolean().optional(),
});

export const TrafficPage = z.strictObject({
  chunks: z.array(TrafficChunk),
  /** Oldest sequence number still kept engine-side. */
  firstKeptSeq: z.number(),
  notKept: z.strictObject({ in: z.number(), out: z.number() }),
});
export type TrafficPage = z.infer<typeof TrafficPage>;

export const EngineSnapshot = z.strictObject({
  endpoints: z.array(EndpointSnapshot),
  conversations: z.array(ConversationSnapshot),
  /** The most recent chunks of each conversation, so a reloaded UI carries on where it was. */
  traffic: z.array(z.strictObject({ conversationId: Id, chunks: z.array(TrafficChunk) })),
  recentHosts: RecentHostLists,
  /** The person's library of messages (kept in the session file). */
  savedMessages: SavedMessages,
  /** The UI state last saved with `ui:save` (or restored from the session file). */
  ui: SessionUi,
  session: SessionStatus,
  /** The last minute of throughput (and listeners' connection counts) for the live charts. */
  rates: RatesSnapshot,
});
export type EngineSnapshot = z.infer<typeof EngineSnapshot>;

function command<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res) {
  return { request, response };
}

export const commands = {
  'app:info': command(Empty, AppInfo),
  'app:snapshot': command(Empty, EngineSnapshot),

  'tcp:listen': command(ListenRequest, EndpointRef),
  'tcp:connect': command(ConnectRequest, EndpointRef),
  'tcp:reconnect': command(EndpointRef, EndpointRef),
  'listener:configure': command(
    z.strictObject({
      endpointId: Id,
      behaviour: Behaviour.optional(),
      maxClients: z.number().int().min(LIMITS.maxClients.min).max(LIMITS.maxClients.max).nullable().optional(),
    }),
    Ok,
  ),
  'listener:broadcast': command(z.strictObject({ endpointId: Id, data: Base64 }), z.strictObject({ clients: z.number() })),
  'listener:close-clients': command(EndpointRef, z.strictObject({ clients: z.number() })),
  'listener:stop-accepting': command(EndpointRef, Ok),

  'conversation:send': command(z.strictObject({ conversationId: Id, data: Base64 }), z.strictObject({ bytes: z.number() })),
  /** Graceful half-close: shutdown(SHUT_WR), i.e. socket.end(). */
  'conversation:shutdown': command(ConversationRef, Ok),
  /** Abort with RST: socket.resetAndDestroy(). */
  'conversation:reset': command(ConversationRef, Ok),

  'udp:bind': command(UdpBindRequest, EndpointRef),
  'udp:send': command(UdpSendRequest, z.strictObject({ bytes: z.number(), to: z.string() })),
  'udp:repeat': command(UdpRepeatRequest, Ok),
  'udp:stop-repeat': command(EndpointRef, Ok),
  'udp:connect': command(z.strictObject({ endpointId: Id, host: Host, port: PortSpec }), Ok),
  'udp:disconnect': command(EndpointRef, Ok),
  'udp:configure': command(
    z.strictObject({
      endpointId: Id,
      behaviour: Behaviour.optional(),
      broadcast: z.boolean().optional(),
      ttl: z.number().int().min(1).max(255).optional(),
      multicastTtl: z.number().int().min(0).max(255).optional(),
      multicastLoopback: z.boolean().optional(),
    }),
    Ok,
  ),
  'udp:membership': command(
    z.strictObject({
      endpointId: Id,
      action: z.enum(['join', 'leave']),
      group: Host,
      iface: Host.optional(),
    }),
    Ok,
  ),

  /** Close the endpoint's sockets; its workspace stays, showing `Closed`. */
  'endpoint:close': command(EndpointRef, Ok),
  /** Close and forget the endpoint (its workspace goes away). */
  'endpoint:remove': command(EndpointRef, Ok),
  /**
   * Opens a listener or UDP endpoint that failed to open (EADDRINUSE after a restart…) again, with
   * the same settings, in the same workspace.
   */
  'endpoint:retry': command(EndpointRef, EndpointRef),

  // Sessions (shared/session.ts): what a person set up survives a restart; export and import it.
  /** Adds a saved message, or replaces the one with the same `id`; answers with its id. */
  'messages:save': command(SavedMessage.extend({ id: SavedMessageId.optional() }), z.strictObject({ id: SavedMessageId })),
  'messages:remove': command(z.strictObject({ id: SavedMessageId }), Ok),
  /** The whole list in its new order: every saved message's id, once each. */
  'messages:reorder': command(z.strictObject({ ids: z.array(SavedMessageId).max(SAVED_MESSAGE_LIMITS.count) }), Ok),
  /** The UI state to restore on the next start (fields left out keep their saved value). */
  'ui:save': command(SessionUiPatch, Ok),
  'session:configure': command(z.strictObject({ reconnectOnStart: z.boolean() }), Ok),
  'session:dismiss-notice': command(Empty, Ok),
  /** The session file's text, as it would be saved now. */
  'session:export': command(Empty, z.strictObject({ json: z.string() })),
  /**
   * Replaces the session (endpoints, saved messages, recent hosts, UI state) with the file's. A file
   * the schema refuses changes nothing and answers VALIDATION with the field at fault.
   */
  'session:import': command(
    z.strictObject({ json: z.string().max(SESSION_FILE_BYTES, `a session file is at most ${SESSION_FILE_BYTES / (1024 * 1024)} MiB`) }),
    z.strictObject({ endpoints: z.number(), savedMessages: z.number(), ui: SessionUi }),
  ),

  'traffic:page': command(TrafficPageRequest, TrafficPage),

  /** Streams everything the conversation (or UDP endpoint) sends and receives to a JSON Lines file. */
  'recording:start': command(ConversationRef, z.strictObject({ path: z.string() })),
  'recording:stop': command(ConversationRef, z.strictObject({ path: z.string() })),
  /** A TCP conversation's recording as `.pcapng`, with synthesised Ethernet/IP/TCP headers. */
  'recording:export-pcapng': command(ConversationRef, z.strictObject({ path: z.string() })),
  /**
   * A page of the conversation's recording (`.jsonl`) or last pcapng export, so a browser-mode UI can
   * download the file instead of leaving it in a folder on the host. Only the engine's own files.
   */
  'recording:read': command(
    z.strictObject({ conversationId: Id, file: z.enum(['recording', 'pcapng']), offset: z.number().int().min(0) }),
    z.strictObject({ name: z.string(), size: z.number(), data: Base64 }),
  ),
  /** A Unix socket path that exists but where nothing listens. */
  'unix:remove-stale': command(z.strictObject({ path: UnixPath }), Ok),
  /** A service name from the system's services database (`whois` → 43/tcp), so forms can check it at the field. */
  'services:lookup': command(
    z.strictObject({ name: PortSpec, proto: z.enum(['tcp', 'udp']) }),
    z.strictObject({ port: Port.nullable() }),
  ),

  // System sockets: the machine's own socket table (ss / netstat / lsof), with Sockscope's rows marked.
  /** Refreshes the table (joining a refresh already running) and answers with it. */
  'system-sockets:snapshot': command(SystemSocketsRequest, SystemSocketsView),
  /** Names for addresses the table shows; answers from the cache and resolves the rest in the background. */
  'system-sockets:reverse-dns': command(ReverseDnsRequest, ReverseDnsResponse),
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandRequest<N extends CommandName> = z.input<Commands[N]['request']>;
export type CommandResponse<N extends CommandName> = z.output<Commands[N]['response']>;
export const commandNames = Object.keys(commands) as CommandName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commands, name);
}

/** Every command answers with this envelope; nothing is ever thrown across a transport. */
export const CommandResult = z.union([
  z.strictObject({ ok: z.literal(true), value: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: BridgeError }),
]);
export type CommandResult<T = unknown> = { ok: true; value: T } | { ok: false; error: BridgeError };

export const EngineEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('endpoint:changed'), endpoint: EndpointSnapshot }),
  z.strictObject({ type: z.literal('endpoint:removed'), endpointId: Id }),
  z.strictObject({ type: z.literal('conversation:changed'), conversation: ConversationSnapshot }),
  z.strictObject({
    type: z.literal('traffic:appended'),
    conversationId: Id,
    chunks: z.array(TrafficChunk),
    /** Chunks whose previews this batch did not carry (the UI could not keep up). */
    skipped: z.strictObject({ chunks: z.number(), bytes: z.number() }),
  }),
  z.strictObject({ type: z.literal('recent-hosts:changed'), hosts: RecentHostLists }),
  z.strictObject({ type: z.literal('saved-messages:changed'), messages: SavedMessages }),
  /** The session's notice or options changed (a save failed, a notice was dismissed…). */
  z.strictObject({ type: z.literal('session:changed'), session: SessionStatus }),
  /** Once a second: every series' newest sample (idle series left out) and the app's total. */
  z.strictObject({
    type: z.literal('rates:sampled'),
    ts: z.number(),
    total: z.strictObject({ in: z.number(), out: z.number() }),
    samples: z.array(RateSample),
  }),
]);
export type EngineEvent = z.infer<typeof EngineEvent>;

/** What one flush carries: everything since the last flush, coalesced. */
export const EventBatch = z.strictObject({ seq: z.number(), events: z.array(EngineEvent) });
export type EventBatch = z.infer<typeof EventBatch>;
