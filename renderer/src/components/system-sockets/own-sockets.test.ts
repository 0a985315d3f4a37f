import { describe, expect, it } from 'vitest';
import type { ConversationSnapshot, EndpointSnapshot } from '../../../../shared/endpoints';
import type { SystemSocketsRowView } from '../../../../shared/system-sockets';
import { ourConversationAtFarEnd, ownSocketName } from './own-sockets';

const inet = (host: string, port: number) => ({ kind: 'inet' as const, host, port, family: host.includes(':') ? ('IPv6' as const) : ('IPv4' as const) });

const listener = {
  id: 'l1',
  kind: 'tcp-listener',
  state: 'listening',
  local: inet('127.0.0.1', 43521),
  request: { bindAddress: '127.0.0.1', port: 0, path: null, backlog: 511, ipv6Only: false },
} as unknown as EndpointSnapshot;

const client = {
  id: 'l1.c4',
  endpointId: 'l1',
  role: 'accepted',
  state: 'established',
  local: inet('127.0.0.1', 43521),
  remote: inet('127.0.0.1', 50122),
} as unknown as ConversationSnapshot;

const known = { endpoints: { l1: listener }, conversations: { 'l1.c4': client } };

describe('ownSocketName', () => {
  it('names an endpoint and a client as the sidebar does, never by internal id', () => {
    expect(ownSocketName({ endpointId: 'l1', conversationId: null }, known)).toBe('Listener 127.0.0.1:43521');
    const name = ownSocketName({ endpointId: 'l1', conversationId: 'l1.c4' }, known);
    expect(name).toBe('Client 127.0.0.1:50122 of Listener 127.0.0.1:43521');
    expect(name).not.toMatch(/l1|c4/);
  });
  it('is null once the endpoint is removed', () => {
    expect(ownSocketName({ endpointId: 'l9', conversationId: null }, known)).toBeNull();
  });
});

const row = (patch: Partial<SystemSocketsRowView>): SystemSocketsRowView =>
  ({
    proto: 'tcp',
    family: 'inet',
    localAddress: '127.0.0.1',
    localPort: 50122,
    remoteAddress: '127.0.0.1',
    remotePort: 43521,
    state: 'ESTABLISHED',
    processes: [{ pid: 99, name: 'ncat' }],
    own: null,
    ...patch,
  }) as SystemSocketsRowView;

describe('ourConversationAtFarEnd', () => {
  it("finds our client at the far end of another program's socket", () => {
    expect(ourConversationAtFarEnd(row({}), known.conversations)).toBe('l1.c4');
    expect(ourConversationAtFarEnd(row({ localAddress: '::ffff:127.0.0.1', remoteAddress: '[::FFFF:127.0.0.1]' }), known.conversations)).toBe('l1.c4');
  });
  it('is null for our own rows, listeners, TIME_WAIT, unrelated and closed conversations', () => {
    expect(ourConversationAtFarEnd(row({ own: { endpointId: 'l1', conversationId: 'l1.c4' } }), known.conversations)).toBeNull();
    expect(ourConversationAtFarEnd(row({ state: 'TIME_WAIT' }), known.conversations)).toBeNull();
    expect(ourConversationAtFarEnd(row({ localPort: 50123 }), known.conversations)).toBeNull();
    expect(ourConversationAtFarEnd(row({ state: 'LISTEN', remotePort: null }), known.conversations)).toBeNull();
    expect(ourConversationAtFarEnd(row({}), { 'l1.c4': { ...client, state: 'closed' } })).toBeNull();
  });
});
