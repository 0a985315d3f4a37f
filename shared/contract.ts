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
  ListenerSnapshot,
  TimelineEntry,
  TrafficChunk,
} from './endpoints';
import { Base64, Family, Host, Id, LIMITS, Port, PortSpec, UnixPath } from './primitives';
import { RateSample, RatesSnapshot } from './rates';
import { ExecSettings } from './exec';
import { RuleSet } from './rules';
import { SAVED_MESSAGE_LIMITS, SavedMessage, SavedMessageId, SavedMessages } from './saved-messages';
import { RecentHostLists, SESSION_FILE_BYTES, SessionStatus, SessionUi, SessionUiPatch } from './session-state';
import { TLS_LIMITS, TlsClientOptions, TlsServerOptions } from './tls';
import { ReverseDnsRequest, ReverseDnsResponse, SystemSocketsRequest, SystemSocketsView } from './system-sockets';
import { GeneratorSnapshot, GeneratorStartRequest } from './generator';
import { ScriptAdvanceRequest, ScriptPause, ScriptRunEnd, ScriptRunRequest, ScriptStepResult } from './script';

const Empty = z.strictObject({});
const EndpointRef = z.strictObject({ endpointId: Id });
const ConversationRef = z.strictObject({ conversationId: Id });
const Ok = z.strictObject({ ok: z.literal(true) });
/** Traffic logs one UI session may watch at once (a window shows one or two; a few more for split views). */
export const UI_WATCH_MAX = 64;

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

/**
 * tcp:listen and tcp:connect name either a Unix socket `path` or a network address: each is a union
 * of two strict variants, so a request with both (or a Unix listener with `ipv6Only`) is refused by
 * the schema itself. The wire format is the flat object it always was.
 */
const listenOptions = {
  backlog: z.number().int().min(LIMITS.backlog.min).max(LIMITS.backlog.max).optional(),
  behaviour: Behaviour.optional(),
  /** Rules answer what arrives (shared/rules.ts); while active they stand in for the behaviour mode. */
  rules: RuleSet.optional(),
  /** Run a program per client with the socket as its stdin/stdout (shared/exec.ts); replaces behaviour and rules. */
  exec: ExecSettings.optional(),
  maxClients: z.number().int().min(LIMITS.maxClients.min).max(LIMITS.maxClients.max).nullable().optional(),
  /** Each accepted client speaks TLS (shared/tls.ts); without certificate files, a self-signed one Sockscope keeps. */
  tls: TlsServerOptions.optional(),
};
export const InetListenRequest = z.strictObject({
  /** Default 0.0.0.0 (tcp/listener.ts). */
  bindAddress: Host.optional(),
  /** Default 0: the kernel chooses. */
  port: PortSpec.optional(),
  ipv6Only: z.boolean().optional(),
  ...listenOptions,
});
/** A Unix domain socket path (Windows: a named pipe) instead of address and port. */
export const UnixListenRequest = z.strictObject({ path: UnixPath, ...listenOptions });
export type UnixListenRequest = z.infer<typeof UnixListenRequest>;
export type InetListenRequest = z.infer<typeof InetListenRequest>;
export const ListenRequest = z.union([UnixListenRequest, InetListenRequest]);
export type ListenRequest = z.infer<typeof ListenRequest>;

const timeoutMs = z.number().int().min(LIMITS.timeoutMs.min).max(LIMITS.timeoutMs.max).optional();
export const InetConnectRequest = z.strictObject({
  host: Host,
  port: PortSpec,
  timeoutMs,
  localAddress: Host.optional(),
  localPort: Port.optional(),
  noDelay: z.boolean().optional(),
  keepAlive: z.boolean().optional(),
  /**
   * RFC 8305 through Node's own `autoSelectFamily` when the name resolved to both families (and no
   * local address/port is set). Off (default): our loop tries each address in getaddrinfo order.
   */
  happyEyeballs: z.boolean().optional(),
  /** TLS right after connect (shared/tls.ts). */
  tls: TlsClientOptions.optional(),
});
export const UnixConnectRequest = z.strictObject({ path: UnixPath, timeoutMs, tls: TlsClientOptions.optional() });
export type InetConnectRequest = z.infer<typeof InetConnectRequest>;
export const ConnectRequest = z.union([UnixConnectRequest, InetConnectRequest]);
export type ConnectRequest = z.infer<typeof ConnectRequest>;

export const UdpBindRequest = z.strictObject({
  bindAddress: Host,
  port: PortSpec,
  type: z.enum(['udp4', 'udp6']).optional(),
  reuseAddr: z.boolean().optional(),
  ipv6Only: z.boolean().optional(),
  /**
   * SO_RCVBUF to ask for (the kernel may cap it: Linux at net.core.rmem_max, and it doubles the
   * value for its bookkeeping). Omitted: the engine's default, large enough to ride out a burst.
   */
  receiveBufferBytes: z.number().int().min(LIMITS.udpReceiveBuffer.min).max(LIMITS.udpReceiveBuffer.max).optional(),
  behaviour: Behaviour.optional(),
  rules: RuleSet.optional(),
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
  /**
   * The most recent chunks of the conversations the asking session watches (`ui:watch`); none for
   * the rest, nor in the snapshot a hello is answered with: the session sends those in its next
   * batches, a few conversations at a time (engine/batcher.ts), instead of one task that built and
   * encoded a thousand conversations' traffic on the engine's thread.
   */
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
  /** STARTTLS: the established plain connection goes on in TLS (after the protocol's own upgrade command). */
  'tcp:start-tls': command(z.strictObject({ endpointId: Id, tls: TlsClientOptions }), Ok),
  /** `tlsVerify: false`: connect again without certificate verification (after a failure a person saw). */
  'tcp:reconnect': command(z.strictObject({ endpointId: Id, tlsVerify: z.literal(false).optional() }), EndpointRef),
  'listener:configure': command(
    z.strictObject({
      endpointId: Id,
      behaviour: Behaviour.optional(),
      /** Replaces the rule set whole (hit counters restart); `{ rules: [] }` turns rules off. */
      rules: RuleSet.optional(),
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
  /** A TLS stream's secrets in the SSLKEYLOGFILE format, for Wireshark to decrypt a capture of it. */
  'tls:key-log': command(ConversationRef, z.strictObject({ text: z.string().max(TLS_LIMITS.keyLogBytes * 2), lines: z.number().int().min(0) })),

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
      rules: RuleSet.optional(),
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
  'saved-messages:save': command(SavedMessage.extend({ id: SavedMessageId.optional() }), z.strictObject({ id: SavedMessageId })),
  'saved-messages:remove': command(z.strictObject({ id: SavedMessageId }), Ok),
  /** The whole list in its new order: every saved message's id, once each. */
  'saved-messages:reorder': command(z.strictObject({ ids: z.array(SavedMessageId).max(SAVED_MESSAGE_LIMITS.count) }), Ok),
  /** The UI state to restore on the next start (fields left out keep their saved value). */
  'ui:save': command(SessionUiPatch, Ok),
  /**
   * The conversations (or UDP endpoints) this UI session shows a Traffic log of, replacing the last
   * list. From then on its batches carry traffic previews for these only (counters still for all),
   * and each one newly listed gets its recent traffic from the engine's log in the next batch. A
   * session that never sends it gets every conversation's previews, and the recent traffic of
   * those that existed at its hello a few per batch. Needs a UI session (hello).
   */
  'ui:watch': command(z.strictObject({ conversationIds: z.array(Id).max(UI_WATCH_MAX) }), Ok),
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

  // Send/expect scripts (shared/script.ts) and the traffic generator (shared/generator.ts).
  /** Parses the script (VALIDATION names the field at fault) and starts it; steps arrive as `script:step`. */
  'script:run': command(ScriptRunRequest, z.strictObject({ runId: Id })),
  'script:stop': command(z.strictObject({ runId: Id }), Ok),
  /** Step mode: run the next step and pause again, or continue to the end (`script:paused` says where it waits). */
  'script:advance': command(ScriptAdvanceRequest, Ok),
  /** "Turn this conversation into…": a script (sends and expects, YAML) and a mock server's rules. */
  'script:from-conversation': command(ConversationRef, z.strictObject({ script: z.string(), rules: RuleSet, rulesText: z.string() })),
  'generator:start': command(GeneratorStartRequest, z.strictObject({ generatorId: Id })),
  /** Stops within 200 ms at any rate; answers with its last state. */
  'generator:stop': command(z.strictObject({ generatorId: Id }), GeneratorSnapshot),
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
  /**
   * A listener's snapshot with only the timeline calls added since the session's last copy of it
   * (shared/timeline.ts `appendTimeline` makes the whole list again): with a thousand clients the
   * 500-entry timeline was most of every accept's event. Sent only to sessions that said so in
   * their hello (session-protocol.ts), and only after an `endpoint:changed` gave them the whole list.
   */
  z.strictObject({
    type: z.literal('listener:changed'),
    endpoint: ListenerSnapshot.omit({ timeline: true }),
    timeline: z.strictObject({ total: z.number().int().min(0), added: z.array(TimelineEntry) }),
  }),
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
  /** One script step's result (a tight repeat's are partly counted instead: see `script:ended`). */
  z.strictObject({ type: z.literal('script:step'), result: ScriptStepResult }),
  z.strictObject({ type: z.literal('script:ended'), end: ScriptRunEnd, unreported: z.number() }),
  /** A run in step mode waits before this step. */
  z.strictObject({ type: z.literal('script:paused'), pause: ScriptPause }),
  /** A generator's counters and achieved rates (at most 4 a second), and its end. */
  z.strictObject({ type: z.literal('generator:changed'), generator: GeneratorSnapshot }),
]);
export type EngineEvent = z.infer<typeof EngineEvent>;

/** What one flush carries: everything since the last flush, coalesced. */
export const EventBatch = z.strictObject({ seq: z.number(), events: z.array(EngineEvent) });
export type EventBatch = z.infer<typeof EventBatch>;
