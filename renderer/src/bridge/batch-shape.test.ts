import { describe, expect, it } from 'vitest';
import { EventBatch } from '../../../shared/contract';
import { emptyStats } from '../../../shared/endpoints';
import { isEventBatchShape } from './batch-shape';

const addr = { kind: 'inet', host: '127.0.0.1', port: 5000, family: 'IPv4' } as const;

const listener = {
  id: 'l1',
  kind: 'tcp-listener',
  createdAt: 1,
  local: addr,
  error: null,
  timeline: [{ ts: 1, call: 'listen(511)', result: 'ok', ok: true }],
  portNote: null,
  state: 'listening',
  request: { bindAddress: '127.0.0.1', port: 0, path: null, backlog: 511, ipv6Only: false },
  behaviour: { mode: 'discard' },
  maxClients: null,
  clientIds: ['l1.c1'],
  refused: 0,
  acceptedTotal: 1,
  stats: emptyStats(),
};

const conversation = {
  id: 'l1.c1',
  endpointId: 'l1',
  role: 'accepted',
  state: 'established',
  local: addr,
  remote: { ...addr, port: 40000 },
  connectedAt: 2,
  closedAt: null,
  firstToClose: null,
  stats: emptyStats(),
  notKept: { in: 0, out: 0 },
  error: null,
  recording: null,
};

const valid = {
  seq: 3,
  events: [
    { type: 'endpoint:changed', endpoint: listener },
    { type: 'conversation:changed', conversation },
    {
      type: 'traffic:appended',
      conversationId: 'l1.c1',
      chunks: [{ seq: 0, ts: 3, dir: 'in', size: 5, data: 'aGVsbG8=', truncated: false, peer: null }],
      skipped: { chunks: 0, bytes: 0 },
    },
    { type: 'recent-hosts:changed', hosts: { tcp: ['localhost:80'], udp: [], unix: [] } },
    { type: 'rates:sampled', ts: 1000, total: { in: 5, out: 0 }, samples: [{ id: 'l1', in: 5, out: 0, accepts: 1, open: 1 }] },
    { type: 'script:paused', pause: { runId: 's1', path: '2.0', iteration: [1], step: 'send "x"' } },
    { type: 'endpoint:removed', endpointId: 'l1' },
  ],
};

describe('the renderer’s structural check of event batches', () => {
  it('accepts what the full schema accepts', () => {
    expect(EventBatch.safeParse(valid).success).toBe(true);
    expect(isEventBatchShape(valid)).toBe(true);
    expect(isEventBatchShape({ seq: 0, events: [] })).toBe(true);
  });

  it.each([
    ['not an object', 'batch'],
    ['no events array', { seq: 1, events: {} }],
    ['no sequence number', { events: [] }],
    ['an unknown event type', { seq: 1, events: [{ type: 'endpoint:exploded' }] }],
    ['an endpoint without an id', { seq: 1, events: [{ type: 'endpoint:changed', endpoint: { ...listener, id: 7 } }] }],
    ['a listener whose client ids are not strings', { seq: 1, events: [{ type: 'endpoint:changed', endpoint: { ...listener, clientIds: [1] } }] }],
    ['a conversation without its endpoint', { seq: 1, events: [{ type: 'conversation:changed', conversation: { ...conversation, endpointId: undefined } }] }],
    ['a chunk without a sequence number', { seq: 1, events: [{ type: 'traffic:appended', conversationId: 'c', chunks: [{ ts: 1, dir: 'in', size: 1, data: '' }], skipped: { chunks: 0, bytes: 0 } }] }],
    ['a chunk with a foreign direction', { seq: 1, events: [{ type: 'traffic:appended', conversationId: 'c', chunks: [{ seq: 1, ts: 1, dir: 'up', size: 1, data: '' }], skipped: { chunks: 0, bytes: 0 } }] }],
    ['a rate sample without an id', { seq: 1, events: [{ type: 'rates:sampled', ts: 1, total: { in: 0, out: 0 }, samples: [{ in: 1, out: 1 }] }] }],
  ])('rejects a batch with %s', (_, raw) => {
    expect(isEventBatchShape(raw)).toBe(false);
  });
});
