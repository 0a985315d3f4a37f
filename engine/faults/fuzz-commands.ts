/**
 * The commands of the stateful fuzzer: every contract command (with the payloads the UI's own
 * forms send, and ones it would refuse), raw peers that connect, send, half-close and reset, UDP
 * peers, stale socket files, waits that let timers and flushes interleave, and two commands at once.
 *
 * Targets are drawn as numbers and resolved against the model when the command runs, so a shrunk
 * sequence still means something: mostly a live endpoint of the right kind, sometimes one that was
 * removed, or an id that never existed.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { isCommandName, type CommandName } from '../../shared/contract';
import type { Behaviour, EndpointKind } from '../../shared/endpoints';
import { endpointOfConversation, type FuzzModel, type FuzzWorld } from './fuzz-world';

type Ghost = 'live' | 'removed' | 'never';
/** A target: the `pick`-th candidate of what the model holds at run time. */
interface Ref {
  pick: number;
  ghost: Ghost;
}

const NEVER_ENDPOINTS = ['l99', 'c99', 'u99', 'x1', 'Not An Id'];
const NEVER_CONVERSATIONS = ['l1.c99', 'c1.s99', 'u99', 'x1.c1'];

const refArb: fc.Arbitrary<Ref> = fc.record({
  pick: fc.nat(15),
  ghost: fc.constantFrom<Ghost>('live', 'live', 'live', 'live', 'live', 'live', 'live', 'live', 'removed', 'never'),
});

/** An endpoint id: live (of one of `kinds` when there is one), removed, or never seen. */
function endpointId(m: FuzzModel, ref: Ref, kinds: EndpointKind[]): string {
  if (ref.ghost === 'removed' && m.removed.length > 0) return m.removed[ref.pick % m.removed.length] as string;
  if (ref.ghost !== 'live') return NEVER_ENDPOINTS[ref.pick % NEVER_ENDPOINTS.length] as string;
  const all = [...m.endpoints.keys()];
  const fit = all.filter((id) => kinds.includes(m.endpoints.get(id) as EndpointKind));
  const from = fit.length > 0 ? fit : all;
  return from.length > 0 ? (from[ref.pick % from.length] as string) : (NEVER_ENDPOINTS[0] as string);
}

/** A conversation id: of a live endpoint, of a removed one, or never seen. */
function conversationId(m: FuzzModel, ref: Ref): string {
  const live = m.conversations.filter((c) => m.endpoints.has(endpointOfConversation(c)));
  if (ref.ghost === 'live' && live.length > 0) return live[ref.pick % live.length] as string;
  const gone = m.conversations.filter((c) => !m.endpoints.has(endpointOfConversation(c)));
  if (ref.ghost === 'removed' && gone.length > 0) return gone[ref.pick % gone.length] as string;
  return NEVER_CONVERSATIONS[ref.pick % NEVER_CONVERSATIONS.length] as string;
}

function liveOf(m: FuzzModel, kind: EndpointKind): string[] {
  return [...m.endpoints].filter(([, k]) => k === kind).map(([id]) => id);
}

// -------------------------------------------------------------------------------------------------
// payloads

type DataSpec = { text: string } | { hex: string } | { fill: number; size: number };

const dataArb: fc.Arbitrary<DataSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('hello\n', 'a\nb\nc\n', 'no newline', '\r\n', '', 'GET / HTTP/1.0\r\n\r\n').map((text) => ({ text })) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 32 }).map((b) => ({ hex: Buffer.from(b).toString('hex') })) },
  { weight: 1, arbitrary: fc.record({ fill: fc.constantFrom(0x0a, 0x61), size: fc.constantFrom(4096, 65_536, 70_000) }) },
);

function bytesOf(d: DataSpec): Buffer {
  if ('text' in d) return Buffer.from(d.text);
  if ('hex' in d) return Buffer.from(d.hex, 'hex');
  return Buffer.alloc(d.size, d.fill);
}

const b64 = (d: DataSpec | string) => (typeof d === 'string' ? Buffer.from(d) : bytesOf(d)).toString('base64');

const behaviourArb: fc.Arbitrary<Behaviour | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom<Behaviour>({ mode: 'manual' }, { mode: 'echo' }, { mode: 'discard' }),
  fc
    .record({
      reply: fc.constantFrom('ok\r\n', '', 'x'),
      trigger: fc.constantFrom<'chunk' | 'line' | undefined>(undefined, 'chunk', 'line'),
      closeAfterReply: fc.boolean(),
    })
    .map(({ reply, trigger, closeAfterReply }): Behaviour => ({ mode: 'auto-reply', reply: b64(reply), ...(trigger ? { trigger } : {}), closeAfterReply })),
  fc.constantFrom<Behaviour['mode']>('echo', 'manual', 'discard').map((mode): Behaviour => ({ mode, banner: b64('220 hello\r\n') })),
  // Refused by the engine (auto-reply needs a reply): a VALIDATION answer, no endpoint.
  fc.constant<Behaviour>({ mode: 'auto-reply' }),
);

// -------------------------------------------------------------------------------------------------
// the command type

/** One step's effect: endpoints it removed (checked gone from the next snapshot). */
type Step = (w: FuzzWorld, m: FuzzModel) => Promise<string[] | void>;

export class FuzzCommand implements fc.AsyncCommand<FuzzModel, FuzzWorld> {
  constructor(
    readonly label: string,
    readonly params: unknown,
    readonly step: Step,
    private readonly allowed: (m: FuzzModel) => boolean = () => true,
  ) {}

  check(m: Readonly<FuzzModel>): boolean {
    return this.allowed(m as FuzzModel);
  }

  async run(m: FuzzModel, w: FuzzWorld): Promise<void> {
    const removed = (await this.step(w, m)) ?? [];
    await w.checkInvariants(m, removed);
  }

  toString(): string {
    return this.params === undefined ? this.label : `${this.label} ${JSON.stringify(this.params)}`;
  }
}

/** Two commands dispatched together (a double click, two tabs): both must answer, in any order. */
class Together extends FuzzCommand {
  constructor(
    private readonly a: FuzzCommand,
    private readonly b: FuzzCommand,
  ) {
    super(
      'together',
      undefined,
      async (w, m) => {
        w.note('together {');
        const [ra, rb] = await Promise.all([a.step(w, m), b.step(w, m)]);
        w.note('}');
        return [...(ra ?? []), ...(rb ?? [])];
      },
      (m) => a.check(m) && b.check(m),
    );
  }

  override toString(): string {
    return `together(${this.a.toString()}, ${this.b.toString()})`;
  }
}

/** Every contract command some step sends (the suite checks that none is left out). */
export const fuzzedCommands = new Set<CommandName>();

function command<P>(label: string, params: fc.Arbitrary<P>, step: (w: FuzzWorld, m: FuzzModel, p: P) => Promise<string[] | void>, allowed?: (m: FuzzModel) => boolean) {
  if (isCommandName(label)) fuzzedCommands.add(label);
  return params.map((p) => new FuzzCommand(label, p, (w, m) => step(w, m, p), allowed));
}

/** A command whose payload needs only an endpoint (or conversation) id. */
function onEndpoint(name: CommandName, kinds: EndpointKind[]) {
  return command(name, refArb, async (w, m, ref) => {
    await w.call(name, { endpointId: endpointId(m, ref, kinds) });
  });
}

function onConversation(name: CommandName) {
  return command(name, refArb, async (w, m, ref) => {
    await w.call(name, { conversationId: conversationId(m, ref) });
  });
}

/** Adds the endpoint a creating command made to the model (a failed bind still makes one). */
function created(m: FuzzModel, kind: EndpointKind, r: { ok: boolean; value?: unknown }): void {
  if (r.ok) m.endpoints.set((r.value as { endpointId: string }).endpointId, kind);
}

// -------------------------------------------------------------------------------------------------
// TCP

type ListenAt = 'v4' | 'v6' | 'unix' | 'v4-taken' | 'unix-no-dir' | 'unix-too-long' | 'unix-plain-file' | 'bad-service' | 'path-and-port' | 'invalid-host';

const listen = command(
  'tcp:listen',
  fc.record({
    at: fc.constantFrom<ListenAt>('v4', 'v4', 'v4', 'v6', 'unix', 'unix', 'v4-taken', 'unix-no-dir', 'unix-too-long', 'unix-plain-file', 'bad-service', 'path-and-port', 'invalid-host'),
    slot: fc.nat(3),
    behaviour: behaviourArb,
    maxClients: fc.constantFrom<number | null | undefined>(undefined, undefined, null, 1, 2),
    backlog: fc.constantFrom<number | undefined>(undefined, undefined, 1),
    // TLS listeners meet the world's plain peers too: handshakes that fail, stall or get reset.
    tls: fc.constantFrom(false, false, true),
  }),
  async (w, m, p) => {
    const where = listenTarget(w, m, p.at, p.slot);
    const r = await w.call('tcp:listen', {
      ...where,
      ...(p.tls ? { tls: {} } : {}),
      ...(p.behaviour ? { behaviour: p.behaviour } : {}),
      ...(p.maxClients !== undefined ? { maxClients: p.maxClients } : {}),
      ...(p.backlog !== undefined ? { backlog: p.backlog } : {}),
    });
    created(m, 'tcp-listener', r);
  },
);

function listenTarget(w: FuzzWorld, m: FuzzModel, at: ListenAt, slot: number): Record<string, unknown> {
  switch (at) {
    case 'v4':
      return { bindAddress: '127.0.0.1', port: 0 };
    case 'v6':
      return { bindAddress: '::1', port: 0 };
    case 'unix':
      return { path: w.unixPath(slot) };
    case 'v4-taken': {
      const taken = liveOf(m, 'tcp-listener').map((id) => w.address(id)).find((a) => a && 'port' in a);
      return taken && 'port' in taken ? { bindAddress: taken.host, port: taken.port } : { bindAddress: '127.0.0.1', port: 0 };
    }
    case 'unix-no-dir':
      return { path: join(w.socksDir, 'missing', 'x.sock') };
    case 'unix-too-long':
      return { path: join(w.socksDir, `${'x'.repeat(110)}.sock`) };
    case 'unix-plain-file':
      return { path: join(w.socksDir, 'plain-file') };
    case 'bad-service':
      return { bindAddress: '127.0.0.1', port: 'no-such-service-here' };
    case 'path-and-port':
      return { path: w.unixPath(slot), port: 0 };
    case 'invalid-host':
      return { bindAddress: 'nohost.invalid', port: 0 };
  }
}

type ConnectTo = 'listener' | 'closed' | 'v6-closed' | 'localhost' | 'unix-missing' | 'unix-stale' | 'invalid-name' | 'path-and-host' | 'no-port';

const connectCmd = command(
  'tcp:connect',
  fc.record({
    to: fc.constantFrom<ConnectTo>('listener', 'listener', 'listener', 'listener', 'closed', 'v6-closed', 'localhost', 'unix-missing', 'unix-stale', 'invalid-name', 'path-and-host', 'no-port'),
    pick: fc.nat(15),
    timeoutMs: fc.constantFrom<number | undefined>(undefined, undefined, 100, 1000),
    noDelay: fc.boolean(),
    keepAlive: fc.boolean(),
    happyEyeballs: fc.boolean(),
    local: fc.constantFrom<'none' | 'address' | 'taken-port'>('none', 'none', 'none', 'address', 'taken-port'),
    tls: fc.constantFrom<'none' | 'verify' | 'insecure'>('none', 'none', 'none', 'verify', 'insecure'),
  }),
  async (w, m, p) => {
    const target = connectTarget(w, m, p.to, p.pick);
    const inet = 'host' in target;
    const local: Record<string, unknown> = {};
    if (inet && p.local === 'address') local.localAddress = target.host === '::1' ? '::1' : '127.0.0.1';
    if (inet && p.local === 'taken-port') {
      const taken = liveOf(m, 'tcp-listener').map((id) => w.address(id)).find((a) => a && 'port' in a);
      if (taken && 'port' in taken) local.localPort = taken.port;
    }
    const r = await w.call('tcp:connect', {
      ...target,
      ...local,
      ...(p.timeoutMs !== undefined ? { timeoutMs: p.timeoutMs } : {}),
      ...(p.noDelay ? { noDelay: true } : {}),
      ...(p.keepAlive ? { keepAlive: true } : {}),
      ...(p.happyEyeballs ? { happyEyeballs: true } : {}),
      ...(p.tls === 'none' ? {} : { tls: { verify: p.tls === 'verify' } }),
    });
    created(m, 'tcp-connection', r);
  },
);

function connectTarget(w: FuzzWorld, m: FuzzModel, to: ConnectTo, pick: number): Record<string, unknown> {
  const listeners = liveOf(m, 'tcp-listener');
  const listener = listeners.length > 0 ? w.address(listeners[pick % listeners.length] as string) : null;
  switch (to) {
    case 'listener':
      return listener ?? { host: '127.0.0.1', port: w.closedPort };
    case 'closed':
      return { host: '127.0.0.1', port: w.closedPort };
    case 'v6-closed':
      return { host: '::1', port: w.closedPort };
    case 'localhost':
      return { host: 'localhost', port: listener && 'port' in listener ? listener.port : w.closedPort };
    case 'unix-missing':
      return { path: join(w.socksDir, 'nobody-here.sock') };
    case 'unix-stale': {
      const stale = [...w.staleMade];
      return { path: stale.length > 0 ? (stale[pick % stale.length] as string) : w.unixPath(pick % 4) };
    }
    case 'invalid-name':
      return { host: 'nohost.invalid', port: 80 };
    case 'path-and-host':
      return { path: w.unixPath(0), host: '127.0.0.1' };
    case 'no-port':
      return { host: '127.0.0.1' };
  }
}

const reconnect = onEndpoint('tcp:reconnect', ['tcp-connection']);

const reconnectUnverified = command('tcp:reconnect', refArb, async (w, m, ref) => {
  await w.call('tcp:reconnect', { endpointId: endpointId(m, ref, ['tcp-connection']), tlsVerify: false });
});

/** STARTTLS on whatever the connection talks to: usually a plain peer, so the handshake fails mid-conversation. */
const startTls = command('tcp:start-tls', fc.record({ ref: refArb, verify: fc.boolean() }), async (w, m, p) => {
  await w.call('tcp:start-tls', { endpointId: endpointId(m, p.ref, ['tcp-connection']), tls: { verify: p.verify } });
});

const keyLog = onConversation('tls:key-log');

/** The fuzzer calls without a UI session: the engine must say so, not fail. */
const watch = command('ui:watch', fc.record({ refs: fc.array(refArb, { maxLength: 3 }) }), async (w, m, p) => {
  await w.call('ui:watch', { conversationIds: p.refs.map((ref) => conversationId(m, ref)) });
});

const configureListener = command(
  'listener:configure',
  fc.record({
    ref: refArb,
    behaviour: behaviourArb,
    maxClients: fc.constantFrom<number | null | undefined>(undefined, null, 1, 3),
  }),
  async (w, m, p) => {
    await w.call('listener:configure', {
      endpointId: endpointId(m, p.ref, ['tcp-listener']),
      ...(p.behaviour ? { behaviour: p.behaviour } : {}),
      ...(p.maxClients !== undefined ? { maxClients: p.maxClients } : {}),
    });
  },
);

const broadcast = command('listener:broadcast', fc.record({ ref: refArb, data: dataArb }), async (w, m, p) => {
  await w.call('listener:broadcast', { endpointId: endpointId(m, p.ref, ['tcp-listener']), data: b64(p.data) });
});

const send = command('conversation:send', fc.record({ ref: refArb, data: dataArb }), async (w, m, p) => {
  await w.call('conversation:send', { conversationId: conversationId(m, p.ref), data: b64(p.data) });
});

// -------------------------------------------------------------------------------------------------
// UDP

type BindAt = 'v4' | 'v6' | 'v4-taken' | 'family-mismatch' | 'bad-service' | 'invalid-host';

const bind = command(
  'udp:bind',
  fc.record({
    at: fc.constantFrom<BindAt>('v4', 'v4', 'v4', 'v6', 'v4-taken', 'family-mismatch', 'bad-service', 'invalid-host'),
    reuseAddr: fc.boolean(),
    behaviour: behaviourArb,
  }),
  async (w, m, p) => {
    const r = await w.call('udp:bind', {
      ...bindTarget(w, m, p.at),
      ...(p.reuseAddr ? { reuseAddr: true } : {}),
      ...(p.behaviour ? { behaviour: p.behaviour } : {}),
    });
    created(m, 'udp', r);
  },
);

function bindTarget(w: FuzzWorld, m: FuzzModel, at: BindAt): Record<string, unknown> {
  switch (at) {
    case 'v4':
      return { bindAddress: '127.0.0.1', port: 0 };
    case 'v6':
      return { bindAddress: '::1', port: 0 };
    case 'v4-taken': {
      const taken = liveOf(m, 'udp').map((id) => w.address(id)).find((a) => a && 'port' in a);
      return taken && 'port' in taken ? { bindAddress: taken.host, port: taken.port } : { bindAddress: '127.0.0.1', port: 0 };
    }
    case 'family-mismatch':
      return { bindAddress: '::1', port: 0, type: 'udp4' };
    case 'bad-service':
      return { bindAddress: '127.0.0.1', port: 'no-such-service-here' };
    case 'invalid-host':
      return { bindAddress: 'nohost.invalid', port: 0 };
  }
}

type Dest = 'self' | 'other' | 'peer' | 'closed' | 'connected' | 'host-only' | 'invalid-name' | 'port-zero' | 'v6-to-v4';

const destArb = fc.constantFrom<Dest>('self', 'self', 'other', 'peer', 'peer', 'closed', 'connected', 'host-only', 'invalid-name', 'port-zero', 'v6-to-v4');

/** Where a datagram of endpoint `id` goes; all on loopback. */
async function destination(w: FuzzWorld, m: FuzzModel, id: string, dest: Dest, pick: number): Promise<Record<string, unknown>> {
  const own = w.address(id);
  const v6 = own !== null && 'host' in own && own.host.includes(':');
  const loopback = v6 ? '::1' : '127.0.0.1';
  switch (dest) {
    case 'self':
      return own && 'port' in own ? { host: own.host, port: own.port } : { host: loopback, port: w.closedPort };
    case 'other': {
      const others = liveOf(m, 'udp').map((u) => w.address(u)).filter((a) => a && 'port' in a);
      const a = others.length > 0 ? others[pick % others.length] : null;
      return a && 'port' in a ? { host: a.host, port: a.port } : { host: loopback, port: w.closedPort };
    }
    case 'peer': {
      const peer = await w.udpPeer(v6 ? 'udp6' : 'udp4');
      return { host: loopback, port: peer.address().port };
    }
    case 'closed':
      return { host: loopback, port: w.closedPort };
    case 'connected':
      return {};
    case 'host-only':
      return { host: loopback };
    case 'invalid-name':
      return { host: 'nohost.invalid', port: 9 };
    case 'port-zero':
      return { host: loopback, port: 0 };
    case 'v6-to-v4':
      return { host: v6 ? '127.0.0.1' : '::1', port: w.closedPort };
  }
}

const udpSend = command('udp:send', fc.record({ ref: refArb, dest: destArb, data: dataArb }), async (w, m, p) => {
  const id = endpointId(m, p.ref, ['udp']);
  await w.call('udp:send', { endpointId: id, ...(await destination(w, m, id, p.dest, p.ref.pick)), data: b64(p.data) });
});

const udpRepeat = command(
  'udp:repeat',
  fc.record({ ref: refArb, dest: destArb, data: dataArb, count: fc.integer({ min: 1, max: 20 }), intervalMs: fc.constantFrom(0, 1, 5, 15) }),
  async (w, m, p) => {
    const id = endpointId(m, p.ref, ['udp']);
    await w.call('udp:repeat', { endpointId: id, ...(await destination(w, m, id, p.dest, p.ref.pick)), data: b64(p.data), count: p.count, intervalMs: p.intervalMs });
  },
);

const udpConnect = command(
  'udp:connect',
  fc.record({ ref: refArb, dest: fc.constantFrom<Dest>('self', 'other', 'peer', 'peer', 'closed', 'invalid-name', 'port-zero', 'v6-to-v4') }),
  async (w, m, p) => {
    const id = endpointId(m, p.ref, ['udp']);
    await w.call('udp:connect', { endpointId: id, ...(await destination(w, m, id, p.dest, p.ref.pick)) });
  },
);

const udpConfigure = command(
  'udp:configure',
  fc.record({
    ref: refArb,
    behaviour: behaviourArb,
    broadcast: fc.option(fc.boolean(), { nil: undefined }),
    ttl: fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }),
    multicastTtl: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    multicastLoopback: fc.option(fc.boolean(), { nil: undefined }),
  }),
  async (w, m, { ref, ...options }) => {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    await w.call('udp:configure', { endpointId: endpointId(m, ref, ['udp']), ...defined });
  },
);

// Always with a loopback interface: a join without one would send IGMP reports off the machine.
const membership = command(
  'udp:membership',
  fc.record({
    ref: refArb,
    action: fc.constantFrom<'join' | 'leave'>('join', 'leave'),
    group: fc.constantFrom('239.255.0.1', '224.0.0.251', '127.0.0.1', 'ff02::1:3'),
    iface: fc.constantFrom('127.0.0.1', 'lo', 'nosuchif0'),
  }),
  async (w, m, p) => {
    await w.call('udp:membership', { endpointId: endpointId(m, p.ref, ['udp']), action: p.action, group: p.group, iface: p.iface });
  },
);

// -------------------------------------------------------------------------------------------------
// endpoints, traffic, recordings, the rest

const remove = command('endpoint:remove', refArb, async (w, m, ref) => {
  const id = endpointId(m, ref, ['tcp-listener', 'tcp-connection', 'udp']);
  const r = await w.call('endpoint:remove', { endpointId: id });
  if (!r.ok) return [];
  m.endpoints.delete(id);
  if (!m.removed.includes(id)) m.removed.push(id);
  return [id];
});

const close = onEndpoint('endpoint:close', ['tcp-listener', 'tcp-connection', 'udp']);

const page = command(
  'traffic:page',
  fc.record({ ref: refArb, beforeSeq: fc.option(fc.nat(40), { nil: undefined }), limit: fc.constantFrom(1, 5, 2000), full: fc.boolean() }),
  async (w, m, p) => {
    await w.call('traffic:page', {
      conversationId: conversationId(m, p.ref),
      limit: p.limit,
      ...(p.beforeSeq !== undefined ? { beforeSeq: p.beforeSeq } : {}),
      ...(p.full ? { full: true } : {}),
    });
  },
);

const readRecording = command(
  'recording:read',
  fc.record({ ref: refArb, file: fc.constantFrom<'recording' | 'pcapng'>('recording', 'pcapng'), offset: fc.constantFrom(0, 0, 10, 1_000_000) }),
  async (w, m, p) => {
    await w.call('recording:read', { conversationId: conversationId(m, p.ref), file: p.file, offset: p.offset });
  },
);

const removeStale = command('unix:remove-stale', fc.record({ which: fc.constantFrom('slot', 'stale', 'stale', 'plain-file', 'missing', 'folder'), pick: fc.nat(3) }), async (w, _m, p) => {
  const stale = [...w.staleMade];
  const path =
    p.which === 'slot'
      ? w.unixPath(p.pick)
      : p.which === 'stale'
        ? stale.length > 0
          ? (stale[p.pick % stale.length] as string)
          : w.unixPath(p.pick)
        : p.which === 'plain-file'
          ? join(w.socksDir, 'plain-file')
          : p.which === 'missing'
            ? join(w.socksDir, 'missing.sock')
            : w.socksDir;
  const r = await w.call('unix:remove-stale', { path });
  if (r.ok) w.staleMade.delete(path);
});

// Scripts and generators run over what the model already holds (never `connect`: that would open
// endpoints the model does not know); their ids are kept per world so stop commands can name them.
const runIds = new WeakMap<FuzzWorld, string[]>();
const generatorIds = new WeakMap<FuzzWorld, string[]>();
const remember = (map: WeakMap<FuzzWorld, string[]>, w: FuzzWorld, r: { ok: boolean; value?: unknown }, key: string) => {
  if (!r.ok) return;
  const ids = map.get(w) ?? [];
  ids.push((r.value as Record<string, string>)[key] as string);
  map.set(w, ids.slice(-16));
};
const pickId = (map: WeakMap<FuzzWorld, string[]>, w: FuzzWorld, pick: number, never: string) => {
  const ids = map.get(w) ?? [];
  return ids.length > 0 ? (ids[pick % ids.length] as string) : never;
};

const runScript = command(
  'script:run',
  fc.record({ ref: refArb, text: fc.constantFrom('{ "steps": [ { "send": "hi\\n" }, { "expect": { "contains": "x", "timeoutMs": 30 } } ] }', '{ "steps": [ { "wait": 5 }, { "shutdown": true } ] }', '{ "steps": [ { "sned": 1 } ] }', 'not: [valid'), stepping: fc.boolean() }),
  async (w, m, p) => {
    remember(runIds, w, await w.call('script:run', { text: p.text, conversationId: conversationId(m, p.ref), stepping: p.stepping }), 'runId');
  },
);

const advanceScript = command('script:advance', fc.record({ pick: fc.nat(15), mode: fc.constantFrom<'step' | 'continue'>('step', 'continue') }), async (w, _m, p) => {
  await w.call('script:advance', { runId: pickId(runIds, w, p.pick, 's99'), mode: p.mode });
});

const fromConversation = onConversation('script:from-conversation');

const stopScript = command('script:stop', fc.nat(15), async (w, _m, pick) => {
  await w.call('script:stop', { runId: pickId(runIds, w, pick, 's99') });
});

const startGenerator = command(
  'generator:start',
  fc.record({ ref: refArb, to: fc.constantFrom('conversation', 'listener', 'udp'), count: fc.constantFrom(1, 50, 1000) }),
  async (w, m, p) => {
    const target =
      p.to === 'conversation'
        ? { conversationId: conversationId(m, p.ref) }
        : p.to === 'listener'
          ? { listenerId: endpointId(m, p.ref, ['tcp-listener']) }
          : { udpEndpointId: endpointId(m, p.ref, ['udp']), host: '127.0.0.1', port: 9 };
    remember(generatorIds, w, await w.call('generator:start', { target, payload: { text: 'gen {{counter}}\n' }, count: p.count, durationMs: 500 }), 'generatorId');
  },
);

const stopGenerator = command('generator:stop', fc.nat(15), async (w, _m, pick) => {
  await w.call('generator:stop', { generatorId: pickId(generatorIds, w, pick, 'g99') });
});

const lookup = command(
  'services:lookup',
  fc.record({ name: fc.constantFrom<string | number>('whois', 'http', 'domain', 'no-such-service', 8080), proto: fc.constantFrom<'tcp' | 'udp'>('tcp', 'udp') }),
  async (w, _m, p) => {
    await w.call('services:lookup', p);
  },
);

const systemSockets = command(
  'system-sockets:snapshot',
  fc.boolean(),
  async (w, m, includeUnix) => {
    m.systemSocketCalls++;
    await w.call('system-sockets:snapshot', { includeUnix });
  },
  (m) => m.systemSocketCalls < 2,
);

const reverseDns = command(
  'system-sockets:reverse-dns',
  fc.subarray(['127.0.0.1', '::1', '0.0.0.0', '::', '127.0.0.53']),
  async (w, _m, addresses) => {
    await w.call('system-sockets:reverse-dns', { addresses });
  },
);

const appSnapshot = command('app:snapshot', fc.constant(undefined), async (w) => {
  await w.call('app:snapshot', {});
});

const appInfo = command('app:info', fc.constant(undefined), async (w) => {
  await w.call('app:info', {});
});

// -------------------------------------------------------------------------------------------------
// the session (saved messages, UI state, export / import, retry)

const retry = onEndpoint('endpoint:retry', ['tcp-listener', 'udp']);

const saveMessage = command(
  'saved-messages:save',
  fc.record({
    id: fc.constantFrom<string | undefined>(undefined, 'm1', 'm2', 'bad id!'),
    name: fc.constantFrom('ping', 'HTTP GET', '', '   '),
    format: fc.constantFrom<'text' | 'hex'>('text', 'hex'),
    content: fc.constantFrom('hello\\n', '00 ff 0a', '{{counter}}', 'zz not hex'),
    lineEnding: fc.constantFrom<'none' | 'lf' | 'crlf'>('none', 'lf', 'crlf'),
  }),
  async (w, _m, { id, ...message }) => {
    await w.call('saved-messages:save', { ...(id !== undefined ? { id } : {}), group: '', ...message });
  },
);

const removeMessage = command('saved-messages:remove', fc.constantFrom('m1', 'm2', 'never'), async (w, _m, id) => {
  await w.call('saved-messages:remove', { id });
});

const reorderMessages = command('saved-messages:reorder', fc.subarray(['m2', 'm1', 'never', 'm1']), async (w, _m, ids) => {
  await w.call('saved-messages:reorder', { ids });
});

const saveUi = command(
  'ui:save',
  fc.record({
    view: fc.constantFrom<string | undefined>(undefined, 'endpoints', 'system-sockets', 'no-such-view'),
    selectedEndpoint: fc.constantFrom<'none' | 'live' | 'null'>('none', 'live', 'null'),
    pick: fc.nat(15),
    theme: fc.constantFrom<string | undefined>(undefined, 'dark', 'light', 'system'),
  }),
  async (w, m, p) => {
    const live = [...m.endpoints.keys()];
    const selected = p.selectedEndpoint === 'null' ? null : (live[p.pick % Math.max(1, live.length)] ?? 'l99');
    await w.call('ui:save', {
      ...(p.view !== undefined ? { view: p.view } : {}),
      ...(p.selectedEndpoint !== 'none' ? { selectedEndpointId: selected } : {}),
      ...(p.theme !== undefined ? { theme: p.theme } : {}),
    });
  },
);

const configureSession = command('session:configure', fc.boolean(), async (w, _m, reconnectOnStart) => {
  await w.call('session:configure', { reconnectOnStart });
});

const dismissNotice = command('session:dismiss-notice', fc.constant(undefined), async (w) => {
  await w.call('session:dismiss-notice', {});
});

const exportSession = command('session:export', fc.constant(undefined), async (w) => {
  const r = await w.call('session:export', {});
  if (r.ok) w.lastExport = (r.value as { json: string }).json;
});

/** The last export of this run (what a person re-imports), or files a person might pick by mistake. */
const importSession = command(
  'session:import',
  fc.constantFrom('last-export', 'last-export', 'not-json', 'empty-object', 'future-version'),
  async (w, m, which) => {
    const json =
      which === 'last-export'
        ? (w.lastExport ?? '{}')
        : which === 'not-json'
          ? '{"format": "sockscope-session", '
          : which === 'empty-object'
            ? '{}'
            : JSON.stringify({ ...(JSON.parse(w.lastExport ?? '{}') as object), version: 999 });
    const before = [...m.endpoints.keys()];
    const r = await w.call('session:import', { json });
    if (!r.ok) return [];
    // The file replaces every endpoint: the old ones are gone, the engine now holds the file's.
    m.endpoints.clear();
    for (const e of w.engine.listEndpoints()) m.endpoints.set(e.id, e.kind);
    const gone = before.filter((id) => !m.endpoints.has(id));
    for (const id of gone) if (!m.removed.includes(id)) m.removed.push(id);
    return gone;
  },
);

// -------------------------------------------------------------------------------------------------
// peers and time

const peerConnect = command('peer:connect', fc.nat(15), async (w, m, pick) => {
  const listeners = liveOf(m, 'tcp-listener');
  const id = listeners.length > 0 ? (listeners[pick % listeners.length] as string) : null;
  const target = (id ? w.address(id) : null) ?? { host: '127.0.0.1', port: w.closedPort };
  w.note(`peer:connect ${id ?? '(no listener)'} ${JSON.stringify(target)} → ${await w.connectPeer(target)}`);
});

const peerSend = command('peer:send', fc.record({ pick: fc.nat(15), data: dataArb }), async (w, _m, p) => {
  const peer = w.peer(p.pick);
  if (peer && !peer.socket.destroyed && peer.socket.writable) peer.socket.write(bytesOf(p.data));
  w.note(`peer:send ${p.pick} ${peer ? 'sent' : '(no peer)'}`);
});

const peerEnd = command('peer:half-close', fc.nat(15), async (w, _m, pick) => {
  w.peer(pick)?.socket.end();
  w.note(`peer:half-close ${pick}`);
});

const peerReset = command('peer:reset', fc.nat(15), async (w, _m, pick) => {
  const peer = w.peer(pick);
  if (peer && !peer.socket.destroyed) {
    // A Unix socket has no RST: Node throws for it, so it is closed instead.
    if (peer.unix) peer.socket.destroy();
    else peer.socket.resetAndDestroy();
  }
  w.note(`peer:reset ${pick}`);
});

const peerDestroy = command('peer:close', fc.nat(15), async (w, _m, pick) => {
  w.peer(pick)?.socket.destroy();
  w.note(`peer:close ${pick}`);
});

const udpPeerSend = command(
  'udp-peer:send',
  fc.record({ ref: refArb, data: dataArb, count: fc.integer({ min: 1, max: 3 }) }),
  async (w, m, p) => {
    const id = endpointId(m, p.ref, ['udp']);
    const to = w.address(id);
    if (!to || !('port' in to)) return w.note(`udp-peer:send ${id} (not bound)`);
    const data = bytesOf(p.data).subarray(0, 60_000);
    const peer = await w.udpPeer(to.host.includes(':') ? 'udp6' : 'udp4');
    for (let i = 0; i < p.count; i++) peer.send(data, to.port, to.host);
    w.note(`udp-peer:send ${id} ${p.count} × ${data.length} bytes`);
  },
);

const makeStale = command('peer:make-stale-socket', fc.nat(3), async (w, _m, slot) => {
  w.note(`peer:make-stale-socket ${w.unixPath(slot)} → ${await w.makeStaleSocket(w.unixPath(slot))}`);
});

/**
 * The app quits (Ctrl-C, the window closed) while another command is in flight. Later commands
 * still go to the engine: each must answer (refusals, never INTERNAL), and open nothing new.
 */
const quit = command('engine:shutdown', fc.constant(undefined), async (w) => {
  w.note('engine:shutdown {');
  const done = await Promise.race([w.engine.shutdown().then(() => 'resolved'), new Promise((r) => setTimeout(() => r('hung'), 5000).unref())]);
  w.note(`} engine:shutdown ${done}`);
  if (done !== 'resolved') throw new Error(`engine.shutdown() did not resolve within 5 s\n${w.describe()}`);
});

/** Quit and start again on the same data folder (the session restores the endpoints, under new ids). */
const restart = command('app:restart', fc.constant(undefined), async (w, m) => {
  for (const id of m.endpoints.keys()) if (!m.removed.includes(id)) m.removed.push(id);
  m.endpoints = await w.restart();
  // Ids start again at l1, c1, u1: nothing is "gone" that the new snapshot could be checked for.
  return [];
});

const wait = command('wait', fc.integer({ min: 0, max: 60 }), async (w, _m, ms) => {
  await new Promise((r) => setTimeout(r, ms));
  w.note(`wait ${ms} ms`);
});

// -------------------------------------------------------------------------------------------------

/** Everything a step can be, weighted towards what builds state and what races it. */
const single: fc.Arbitrary<FuzzCommand> = fc.oneof(
  { weight: 6, arbitrary: listen },
  { weight: 6, arbitrary: connectCmd },
  { weight: 1, arbitrary: reconnect },
  { weight: 1, arbitrary: configureListener },
  { weight: 1, arbitrary: broadcast },
  { weight: 1, arbitrary: onEndpoint('listener:close-clients', ['tcp-listener']) },
  { weight: 1, arbitrary: onEndpoint('listener:stop-accepting', ['tcp-listener']) },
  { weight: 2, arbitrary: send },
  { weight: 1, arbitrary: onConversation('conversation:shutdown') },
  { weight: 1, arbitrary: onConversation('conversation:reset') },
  { weight: 5, arbitrary: bind },
  { weight: 4, arbitrary: udpSend },
  { weight: 1, arbitrary: udpRepeat },
  { weight: 1, arbitrary: onEndpoint('udp:stop-repeat', ['udp']) },
  { weight: 1, arbitrary: udpConnect },
  { weight: 1, arbitrary: onEndpoint('udp:disconnect', ['udp']) },
  { weight: 1, arbitrary: udpConfigure },
  { weight: 1, arbitrary: membership },
  { weight: 2, arbitrary: close },
  { weight: 3, arbitrary: remove },
  { weight: 1, arbitrary: page },
  { weight: 3, arbitrary: onConversation('recording:start') },
  { weight: 1, arbitrary: onConversation('recording:stop') },
  { weight: 1, arbitrary: onConversation('recording:export-pcapng') },
  { weight: 1, arbitrary: readRecording },
  { weight: 1, arbitrary: removeStale },
  { weight: 1, arbitrary: lookup },
  { weight: 1, arbitrary: reconnectUnverified },
  { weight: 2, arbitrary: startTls },
  { weight: 1, arbitrary: keyLog },
  { weight: 1, arbitrary: watch },
  { weight: 1, arbitrary: runScript },
  { weight: 1, arbitrary: stopScript },
  { weight: 1, arbitrary: advanceScript },
  { weight: 1, arbitrary: fromConversation },
  { weight: 1, arbitrary: startGenerator },
  { weight: 1, arbitrary: stopGenerator },
  { weight: 1, arbitrary: systemSockets },
  { weight: 1, arbitrary: reverseDns },
  { weight: 1, arbitrary: appSnapshot },
  { weight: 1, arbitrary: appInfo },
  { weight: 1, arbitrary: retry },
  { weight: 1, arbitrary: saveMessage },
  { weight: 1, arbitrary: removeMessage },
  { weight: 1, arbitrary: reorderMessages },
  { weight: 1, arbitrary: saveUi },
  { weight: 1, arbitrary: configureSession },
  { weight: 1, arbitrary: dismissNotice },
  { weight: 1, arbitrary: exportSession },
  { weight: 1, arbitrary: importSession },
  { weight: 6, arbitrary: peerConnect },
  { weight: 4, arbitrary: peerSend },
  { weight: 1, arbitrary: peerEnd },
  { weight: 1, arbitrary: peerReset },
  { weight: 1, arbitrary: peerDestroy },
  { weight: 3, arbitrary: udpPeerSend },
  { weight: 1, arbitrary: makeStale },
);

/** What ends or replaces something: raced against any other command. */
const destructive: fc.Arbitrary<FuzzCommand> = fc.oneof(
  remove,
  close,
  reconnect,
  retry,
  importSession,
  onConversation('conversation:reset'),
  onConversation('conversation:shutdown'),
  onEndpoint('listener:close-clients', ['tcp-listener']),
  onEndpoint('listener:stop-accepting', ['tcp-listener']),
  peerReset,
);

export const fuzzCommandArb: fc.Arbitrary<FuzzCommand> = fc.oneof(
  { weight: 28, arbitrary: single },
  { weight: 8, arbitrary: wait },
  { weight: 2, arbitrary: fc.tuple(single, single).map(([a, b]) => new Together(a, b)) },
  { weight: 4, arbitrary: fc.tuple(single, destructive).map(([a, b]) => new Together(a, b)) },
  { weight: 1, arbitrary: fc.tuple(single, quit).map(([a, b]) => new Together(a, b)) },
  { weight: 1, arbitrary: restart },
);
